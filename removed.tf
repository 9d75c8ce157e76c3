# What the REST API's OpenAPI body (modules/rest-api) now holds, at the
# addresses earlier releases kept it: Terraform forgets these without
# deleting them. PutRestApi (overwrite) replaces the API's definition as a
# whole; a delete would run before it (Terraform destroys a dependent before
# it updates the dependency), while methods still reference the authorizer
# ("ConflictException: Cannot delete authorizer … is referenced in method"),
# or after it, deleting what the body just put. docs/upgrading.md.

# The API Gateway authorizer of the releases before the body, and of the
# one-issuer form.
removed {
  from = module.authorizer.aws_api_gateway_authorizer.this
  lifecycle { destroy = false }
}
removed {
  from = module.rest_api.aws_api_gateway_authorizer.this
  lifecycle { destroy = false }
}

# The one-issuer form's /hello route (modules/rest-api's removed.tf forgets
# the later releases' per-route resources).
removed {
  from = module.rest_api.aws_api_gateway_resource.hello
  lifecycle { destroy = false }
}
removed {
  from = module.rest_api.aws_api_gateway_resource.user_id
  lifecycle { destroy = false }
}
removed {
  from = module.rest_api.aws_api_gateway_method.get_hello
  lifecycle { destroy = false }
}
removed {
  from = module.rest_api.aws_api_gateway_integration.get_hello
  lifecycle { destroy = false }
}
