output "user_pool_id" {
  description = "ID of the customers' Cognito user pool."
  value       = aws_cognito_user_pool.customers.id
}

output "user_pool_client_id" {
  description = "ID of the pool's web client (no secret)."
  value       = aws_cognito_user_pool_client.web.id
}

output "cognito_issuer" {
  description = "Issuer of the Cognito tokens the authorizer accepts."
  value       = "https://${aws_cognito_user_pool.customers.endpoint}"
}

output "invoke_url" {
  description = "Base URL of the stage."
  value       = module.jwt_authorizer.invoke_url
}

output "route_urls" {
  description = "Invoke URL of each route, by route key."
  value       = module.jwt_authorizer.route_urls
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

output "deployment_id" {
  description = "ID of the stage's current deployment."
  value       = module.jwt_authorizer.deployment_id
}

output "authorizer_function_name" {
  description = "Name of the authorizer function."
  value       = module.jwt_authorizer.authorizer_function_name
}

output "hello_function_name" {
  description = "Name of the hello function."
  value       = module.jwt_authorizer.hello_function_name
}

output "key_table_name" {
  description = "Name of the key cache table."
  value       = module.jwt_authorizer.key_table_name
}
