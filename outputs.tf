output "invoke_url" {
  description = "Base URL of the stage."
  value       = try(module.rest_api.invoke_url, null)
}

output "hello_url_template" {
  description = "URL of the hello route, {userId} to be replaced by the caller's user id."
  value       = try(module.rest_api.route_urls[var.hello_route.key], null)
}

output "route_urls" {
  description = "Invoke URL of each route, by route key."
  value       = try(module.rest_api.route_urls, null)
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = try(module.rest_api.rest_api_id, null)
}

output "rest_api_execution_arn" {
  description = "Execution ARN of the REST API."
  value       = try(module.rest_api.rest_api_execution_arn, null)
}

output "root_resource_id" {
  description = "ID of the REST API's root resource."
  value       = try(module.rest_api.root_resource_id, null)
}

output "stage_name" {
  description = "Name of the stage."
  value       = try(module.rest_api.stage_name, null)
}

output "stage_arn" {
  description = "ARN of the stage (for a WAF web ACL association)."
  value       = try(module.rest_api.stage_arn, null)
}

output "deployment_id" {
  description = "ID of the stage's current deployment."
  value       = try(module.rest_api.deployment_id, null)
}

output "authorizer_id" {
  description = "ID of the TOKEN authorizer the REST API's OpenAPI body declares (API Gateway assigns it when the body is put)."
  value       = try(module.rest_api.authorizer_id, null)
}

output "authorizer_name" {
  description = "Name of the TOKEN authorizer the REST API's OpenAPI body declares."
  value       = try(module.authorizer.api_gateway_authorizer.name, null)
}

output "authorizer_function_name" {
  description = "Name of the authorizer Lambda function."
  value       = try(module.authorizer.function_name, null)
}

output "authorizer_function_arn" {
  description = "ARN of the authorizer Lambda function."
  value       = try(module.authorizer.function_arn, null)
}

output "authorizer_invoke_arn" {
  description = "Invoke ARN of the authorizer Lambda function."
  value       = try(module.authorizer.invoke_arn, null)
}

output "authorizer_role_arn" {
  description = "ARN of the authorizer's execution role."
  value       = try(module.authorizer.role_arn, null)
}

output "authorizer_log_group_name" {
  description = "Log group of the authorizer."
  value       = try(module.authorizer.log_group_name, null)
}

output "authorizer_log_group_arn" {
  description = "ARN of the authorizer's log group."
  value       = try(module.authorizer.log_group_arn, null)
}

output "hello_function_name" {
  description = "Name of the hello Lambda function."
  value       = try(module.hello[0].function_name, null)

  # hello_issuers against issuers and hello_route: checked here because a
  # variable's validation may not read another variable before Terraform 1.9.
  precondition {
    condition     = !var.create_hello || length(setsubtract(local.hello_issuers, keys(var.issuers))) == 0
    error_message = "hello_issuers names no configured issuer: ${join(", ", setsubtract(local.hello_issuers, keys(var.issuers)))} (the issuers are ${join(", ", keys(var.issuers))})."
  }
  precondition {
    condition     = !var.create_hello || length(local.hello_issuers) == 0 || length(setsubtract(length(var.hello_route.issuers) > 0 ? var.hello_route.issuers : keys(var.issuers), local.hello_issuers)) == 0
    error_message = "hello_issuers (${join(", ", local.hello_issuers)}) must include every issuer of hello_route (empty: all issuers): hello would refuse the users the authorizer lets through its own route."
  }
}

output "hello_function_arn" {
  description = "ARN of the hello Lambda function."
  value       = try(module.hello[0].function_arn, null)
}

output "hello_invoke_arn" {
  description = "Invoke ARN of the hello Lambda function."
  value       = try(module.hello[0].invoke_arn, null)
}

output "hello_role_arn" {
  description = "ARN of hello's execution role."
  value       = try(module.hello[0].role_arn, null)
}

output "hello_log_group_name" {
  description = "Log group of hello."
  value       = try(module.hello[0].log_group_name, null)
}

output "hello_log_group_arn" {
  description = "ARN of hello's log group."
  value       = try(module.hello[0].log_group_arn, null)
}

output "key_table_name" {
  description = "Name of the DynamoDB key cache table, or null for memory only."
  value       = try(module.authorizer.key_table_name, null)
}

output "key_table_arn" {
  description = "ARN of the DynamoDB key cache table, or null for memory only."
  value       = try(module.authorizer.key_table_arn, null)
}

output "access_log_group_name" {
  description = "Access log group of the stage, or null when access logs are off."
  value       = try(module.rest_api.access_log_group_name, null)
}

output "access_log_group_arn" {
  description = "ARN of the stage's access log group, or null when access logs are off."
  value       = try(module.rest_api.access_log_group_arn, null)
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the authorizer's EMF metrics."
  value       = try(module.authorizer.metrics_namespace, null)
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms created (alarms.create), keyed errors, throttles, duration_p99, api_5xx, deny_rate, key_load_failures."
  value       = try(module.authorizer.alarm_arns, {})
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms created, keyed as alarm_arns."
  value       = try(module.authorizer.alarm_names, {})
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard, or null without dashboard."
  value       = try(module.authorizer.dashboard_name, null)
}
