output "invoke_url" {
  description = "Base URL of the stage."
  value       = module.rest_api.invoke_url
}

output "hello_url_template" {
  description = "URL of the hello route, {userId} to be replaced by the caller's user id."
  value       = module.rest_api.hello_url_template
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.rest_api.rest_api_id
}

output "rest_api_execution_arn" {
  description = "Execution ARN of the REST API."
  value       = module.rest_api.rest_api_execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = module.rest_api.stage_name
}

output "authorizer_id" {
  description = "ID of the API Gateway TOKEN authorizer."
  value       = module.rest_api.authorizer_id
}

output "authorizer_function_name" {
  description = "Name of the authorizer Lambda function."
  value       = module.authorizer.function_name

  precondition {
    condition     = var.authorizer_function.timeout * 1000 > var.jwks_fetch_timeout_ms
    error_message = "The authorizer timeout must exceed jwks_fetch_timeout_ms, or a slow issuer times the function out instead of failing closed."
  }
}

output "authorizer_function_arn" {
  description = "ARN of the authorizer Lambda function."
  value       = module.authorizer.function_arn
}

output "authorizer_role_arn" {
  description = "ARN of the authorizer's execution role."
  value       = module.authorizer.role_arn
}

output "authorizer_log_group_name" {
  description = "Log group of the authorizer."
  value       = module.authorizer.log_group_name
}

output "hello_function_name" {
  description = "Name of the hello Lambda function."
  value       = module.hello.function_name
}

output "hello_function_arn" {
  description = "ARN of the hello Lambda function."
  value       = module.hello.function_arn
}

output "hello_role_arn" {
  description = "ARN of hello's execution role."
  value       = module.hello.role_arn
}

output "hello_log_group_name" {
  description = "Log group of hello."
  value       = module.hello.log_group_name
}

output "key_table_name" {
  description = "Name of the DynamoDB key cache table."
  value       = module.key_cache.table_name
}

output "key_table_arn" {
  description = "ARN of the DynamoDB key cache table."
  value       = module.key_cache.table_arn
}

output "access_log_group_name" {
  description = "Access log group of the stage, or null when access logs are off."
  value       = module.rest_api.access_log_group_name
}
