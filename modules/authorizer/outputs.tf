output "authorizer_id" {
  description = "ID of the API Gateway TOKEN authorizer: set it, with authorization = \"CUSTOM\", on your aws_api_gateway_method resources. null when create_api_gateway_authorizer is false."
  value       = try(aws_api_gateway_authorizer.this[0].id, null)
}

output "api_gateway_authorizer" {
  description = "The TOKEN authorizer as an OpenAPI body declares it (modules/rest-api's authorizer input): security scheme name, the function's invoke ARN, identity header, validation expression and result TTL."
  value = {
    # Not the name of the authorizer this module creates: an API moving to a
    # body keeps the old one until it is deleted, after the body is put.
    name                           = "${var.name}-openapi"
    invoke_arn                     = module.function.invoke_arn
    identity_header                = "Authorization"
    identity_validation_expression = var.identity_validation_expression == "" ? null : var.identity_validation_expression
    result_ttl_in_seconds          = var.result_ttl_in_seconds
  }
}

output "function_name" {
  description = "Name of the authorizer Lambda function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the authorizer Lambda function."
  value       = module.function.function_arn
}

output "invoke_arn" {
  description = "Invoke ARN of the authorizer Lambda function."
  value       = module.function.invoke_arn
}

output "role_name" {
  description = "Name of the execution role (null when create_role is false)."
  value       = module.function.role_name
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = module.function.role_arn
}

output "log_group_name" {
  description = "Log group of the function."
  value       = module.function.log_group_name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = module.function.log_group_arn
}

output "key_table_name" {
  description = "Name of the key cache table, or null for memory only."
  value       = local.key_table_name
}

output "key_table_arn" {
  description = "ARN of the key cache table, or null for memory only."
  value       = local.key_table_arn
}

output "environment" {
  description = "The function's environment (the Terraform <-> Go contract), for inspection and tests."
  value       = local.environment
}

output "redeployment_hash" {
  description = "A hash of everything API Gateway reads from the authorizer (its function's invoke ARN and qualifier, result TTL, identity source and validation expression) and of the function's settings: feed it to your deployment's triggers, since an authorizer change reaches a stage only through a new deployment."
  value = sha1(jsonencode({
    uri                            = module.function.invoke_arn
    qualifier                      = module.function.qualifier
    result_ttl_in_seconds          = var.result_ttl_in_seconds
    identity_source                = "method.request.header.Authorization"
    identity_validation_expression = var.identity_validation_expression
    environment                    = local.environment
  }))
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the function's EMF metrics (Verdicts, Denials, KeyLoads, ColdStartLoadMs)."
  value       = local.metrics_namespace
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms created (alarms.create), keyed errors, throttles, duration_p99, api_5xx, deny_rate, key_load_failures."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms created, keyed as alarm_arns."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard, or null without dashboard."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}
