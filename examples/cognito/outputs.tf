output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_client_id" {
  description = "ID of the user pool's app client (no secret)."
  value       = aws_cognito_user_pool_client.this.id
}

output "issuer" {
  description = "Issuer the authorizer expects."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "invoke_url" {
  description = "Base URL of the stage."
  value       = module.jwt_authorizer.invoke_url
}

output "hello_url_template" {
  description = "URL of the hello route, {userId} to be replaced by the caller's sub."
  value       = module.jwt_authorizer.hello_url_template
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.jwt_authorizer.rest_api_id
}

output "rest_api_execution_arn" {
  description = "Execution ARN of the REST API."
  value       = module.jwt_authorizer.rest_api_execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = module.jwt_authorizer.stage_name
}

output "authorizer_id" {
  description = "ID of the TOKEN authorizer."
  value       = module.jwt_authorizer.authorizer_id
}

output "authorizer_function_name" {
  description = "Name of the authorizer function."
  value       = module.jwt_authorizer.authorizer_function_name
}

output "authorizer_function_arn" {
  description = "ARN of the authorizer function."
  value       = module.jwt_authorizer.authorizer_function_arn
}

output "authorizer_role_arn" {
  description = "ARN of the authorizer's role."
  value       = module.jwt_authorizer.authorizer_role_arn
}

output "authorizer_log_group_name" {
  description = "Log group of the authorizer."
  value       = module.jwt_authorizer.authorizer_log_group_name
}

output "hello_function_name" {
  description = "Name of the hello function."
  value       = module.jwt_authorizer.hello_function_name
}

output "hello_function_arn" {
  description = "ARN of the hello function."
  value       = module.jwt_authorizer.hello_function_arn
}

output "hello_role_arn" {
  description = "ARN of hello's role."
  value       = module.jwt_authorizer.hello_role_arn
}

output "hello_log_group_name" {
  description = "Log group of hello."
  value       = module.jwt_authorizer.hello_log_group_name
}

output "key_table_name" {
  description = "Name of the key cache table."
  value       = module.jwt_authorizer.key_table_name
}

output "key_table_arn" {
  description = "ARN of the key cache table."
  value       = module.jwt_authorizer.key_table_arn
}

output "hosted_ui_url" {
  description = "Base URL of the Cognito hosted UI (its /oauth2/authorize and /oauth2/token endpoints), or null without hosted_ui_domain."
  value       = try("https://${aws_cognito_user_pool_domain.this[0].domain}.auth.${var.region}.amazoncognito.com", null)
}

output "cognito_endpoint" {
  description = "Cognito's user-pool API endpoint in the region (the web page's config.json cognito.endpoint)."
  value       = "https://cognito-idp.${var.region}.amazonaws.com/"
}
