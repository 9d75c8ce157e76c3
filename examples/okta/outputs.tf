output "issuer" {
  description = "Issuer the authorizer expects."
  value       = "https://${var.okta_domain}/oauth2/default"
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
