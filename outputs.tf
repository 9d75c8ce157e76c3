output "invoke_url" {
  description = "Base URL of the stage."
  value       = module.rest_api.invoke_url
}

output "hello_url_template" {
  description = "URL of the hello route, {userId} to be replaced by the caller's user id."
  value       = module.rest_api.route_urls[var.hello_route.key]
}

output "route_urls" {
  description = "Invoke URL of each route, by route key."
  value       = module.rest_api.route_urls
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.rest_api.rest_api_id
}

output "rest_api_execution_arn" {
  description = "Execution ARN of the REST API."
  value       = module.rest_api.rest_api_execution_arn
}

output "root_resource_id" {
  description = "ID of the REST API's root resource."
  value       = module.rest_api.root_resource_id
}

output "stage_name" {
  description = "Name of the stage."
  value       = module.rest_api.stage_name
}

output "stage_arn" {
  description = "ARN of the stage (for a WAF web ACL association)."
  value       = module.rest_api.stage_arn
}

output "deployment_id" {
  description = "ID of the stage's current deployment."
  value       = module.rest_api.deployment_id
}

output "authorizer_id" {
  description = "ID of the API Gateway TOKEN authorizer."
  value       = module.authorizer.authorizer_id
}

output "authorizer_function_name" {
  description = "Name of the authorizer Lambda function."
  value       = module.authorizer.function_name
}

output "authorizer_function_arn" {
  description = "ARN of the authorizer Lambda function."
  value       = module.authorizer.function_arn
}

output "authorizer_invoke_arn" {
  description = "Invoke ARN of the authorizer Lambda function."
  value       = module.authorizer.invoke_arn
}

output "authorizer_role_arn" {
  description = "ARN of the authorizer's execution role."
  value       = module.authorizer.role_arn
}

output "authorizer_log_group_name" {
  description = "Log group of the authorizer."
  value       = module.authorizer.log_group_name
}

output "authorizer_log_group_arn" {
  description = "ARN of the authorizer's log group."
  value       = module.authorizer.log_group_arn
}

output "hello_function_name" {
  description = "Name of the hello Lambda function."
  value       = module.hello.function_name

  # hello_issuers against issuers and hello_route: checked here because a
  # variable's validation may not read another variable before Terraform 1.9.
  precondition {
    condition     = length(setsubtract(local.hello_issuers, keys(var.issuers))) == 0
    error_message = "hello_issuers names no configured issuer: ${join(", ", setsubtract(local.hello_issuers, keys(var.issuers)))} (the issuers are ${join(", ", keys(var.issuers))})."
  }
  precondition {
    condition     = length(local.hello_issuers) == 0 || length(setsubtract(length(var.hello_route.issuers) > 0 ? var.hello_route.issuers : keys(var.issuers), local.hello_issuers)) == 0
    error_message = "hello_issuers (${join(", ", local.hello_issuers)}) must include every issuer of hello_route (empty: all issuers): hello would refuse the users the authorizer lets through its own route."
  }
}

output "hello_function_arn" {
  description = "ARN of the hello Lambda function."
  value       = module.hello.function_arn
}

output "hello_invoke_arn" {
  description = "Invoke ARN of the hello Lambda function."
  value       = module.hello.invoke_arn
}

output "hello_role_arn" {
  description = "ARN of hello's execution role."
  value       = module.hello.role_arn
}

output "hello_log_group_name" {
  description = "Log group of hello."
  value       = module.hello.log_group_name
}

output "hello_log_group_arn" {
  description = "ARN of hello's log group."
  value       = module.hello.log_group_arn
}

output "key_table_name" {
  description = "Name of the DynamoDB key cache table, or null for memory only."
  value       = module.authorizer.key_table_name
}

output "key_table_arn" {
  description = "ARN of the DynamoDB key cache table, or null for memory only."
  value       = module.authorizer.key_table_arn
}

output "access_log_group_name" {
  description = "Access log group of the stage, or null when access logs are off."
  value       = module.rest_api.access_log_group_name
}

output "access_log_group_arn" {
  description = "ARN of the stage's access log group, or null when access logs are off."
  value       = module.rest_api.access_log_group_arn
}
