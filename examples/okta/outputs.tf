output "issuer" {
  description = "Issuer the authorizer expects."
  value       = local.issuer
}

output "invoke_url" {
  description = "Base URL of the stage."
  value       = module.jwt_authorizer.invoke_url
}

output "hello_url_template" {
  description = "URL of the hello route, {userId} to be replaced by the caller's Okta uid."
  value       = module.jwt_authorizer.hello_url_template
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.jwt_authorizer.rest_api_id
}

output "authorizer_id" {
  description = "ID of the TOKEN authorizer."
  value       = module.jwt_authorizer.authorizer_id
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

output "authorizer_function_arn" {
  description = "ARN of the authorizer function."
  value       = module.jwt_authorizer.authorizer_function_arn
}

output "authorizer_role_arn" {
  description = "ARN of the authorizer's role."
  value       = module.jwt_authorizer.authorizer_role_arn
}

output "hello_function_arn" {
  description = "ARN of the hello function."
  value       = module.jwt_authorizer.hello_function_arn
}

output "hello_role_arn" {
  description = "ARN of hello's role."
  value       = module.jwt_authorizer.hello_role_arn
}

output "rest_api_execution_arn" {
  description = "Execution ARN of the REST API."
  value       = module.jwt_authorizer.rest_api_execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = module.jwt_authorizer.stage_name
}

output "key_table_arn" {
  description = "ARN of the key cache table."
  value       = module.jwt_authorizer.key_table_arn
}
