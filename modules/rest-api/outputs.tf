output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "rest_api_execution_arn" {
  description = "Execution ARN of the REST API (prefix of lambda permission source ARNs)."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "root_resource_id" {
  description = "ID of the API's root resource."
  value       = aws_api_gateway_rest_api.this.root_resource_id
}

output "deployment_id" {
  description = "ID of the current deployment."
  value       = aws_api_gateway_deployment.this.id
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "stage_arn" {
  description = "ARN of the stage."
  value       = aws_api_gateway_stage.this.arn
}

output "invoke_url" {
  description = "Base URL of the stage (https://API_ID.execute-api.REGION.amazonaws.com/STAGE)."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "access_log_group_name" {
  description = "Name of the access log group, or null when access logs are off."
  value       = try(aws_cloudwatch_log_group.access[0].name, null)
}

output "access_log_group_arn" {
  description = "ARN of the access log group, or null when access logs are off."
  value       = try(aws_cloudwatch_log_group.access[0].arn, null)
}

output "route_urls" {
  description = "Invoke URL of each route, by route key, path parameters left as {name}."
  value       = { for k, r in local.parsed : k => "${aws_api_gateway_stage.this.invoke_url}${r.path}" }
}

output "authorizer_routes" {
  description = "The routes with their scopes, groups and issuers as modules/authorizer's routes input takes them ({proxy+} written as a final /*)."
  value       = local.authorizer_routes
}

output "cors_response_headers" {
  description = "The CORS headers a backend (AWS_PROXY, HTTP_PROXY) must add to its own answers, API Gateway adding none to them; empty when cors is off."
  value       = local.cors_response_headers
}

output "body" {
  description = "The API's OpenAPI 3.0 definition (JSON), as put on the REST API: every route, preflight, gateway response and the authorizer."
  value       = local.body
}

output "authorizer_id" {
  description = "ID API Gateway gave the authorizer the body declares; null while the API holds another authorizer too (during an upgrade from per-method resources)."
  value       = try(one(data.aws_api_gateway_authorizers.this.ids), null)
}
