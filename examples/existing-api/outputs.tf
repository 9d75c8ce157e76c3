output "invoke_url" {
  description = "Base URL of the stage."
  value       = aws_api_gateway_stage.v1.invoke_url
}

output "rest_api_id" {
  description = "ID of your REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "rest_api_execution_arn" {
  description = "Execution ARN of your REST API."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_api_gateway_stage.v1.stage_name
}

output "orders_function_name" {
  description = "Name of your function behind both routes."
  value       = aws_lambda_function.orders.function_name
}

output "orders_function_arn" {
  description = "ARN of your function behind both routes."
  value       = aws_lambda_function.orders.arn
}

output "orders_role_name" {
  description = "Name of your function's execution role."
  value       = aws_iam_role.orders.name
}

output "authorizer_id" {
  description = "ID of the TOKEN authorizer your methods use."
  value       = module.jwt_authorizer.authorizer_id
}

output "authorizer_function_name" {
  description = "Name of the authorizer function."
  value       = module.jwt_authorizer.function_name
}

output "authorizer_function_arn" {
  description = "ARN of the authorizer function."
  value       = module.jwt_authorizer.function_arn
}

output "authorizer_role_name" {
  description = "Name of the authorizer's execution role."
  value       = module.jwt_authorizer.role_name
}

output "key_table_name" {
  description = "Name of the authorizer's key cache table."
  value       = module.jwt_authorizer.key_table_name
}

output "key_table_arn" {
  description = "ARN of the authorizer's key cache table."
  value       = module.jwt_authorizer.key_table_arn
}

output "route_urls" {
  description = "Invoke URL of each route, {userId} to be replaced by the caller's user id."
  value       = { for k, r in local.routes : k => "${aws_api_gateway_stage.v1.invoke_url}${r.path}" }
}

output "alarm_names" {
  description = "Names of the authorizer's CloudWatch alarms, keyed by alarm."
  value       = module.jwt_authorizer.alarm_names
}

output "dashboard_name" {
  description = "Name of the authorizer's CloudWatch dashboard, or null."
  value       = module.jwt_authorizer.dashboard_name
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the authorizer's metrics."
  value       = module.jwt_authorizer.metrics_namespace
}
