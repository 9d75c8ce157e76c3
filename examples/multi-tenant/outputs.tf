output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_client_id" {
  description = "ID of the pool's client (no secret)."
  value       = aws_cognito_user_pool_client.this.id
}

output "issuer" {
  description = "Issuer of the tokens the authorizer accepts."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "route_urls" {
  description = "Invoke URL of each route, by route key."
  value       = module.jwt_authorizer.route_urls
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.jwt_authorizer.rest_api_id
}

output "authorizer_function_name" {
  description = "Name of the authorizer function."
  value       = module.jwt_authorizer.authorizer_function_name
}
