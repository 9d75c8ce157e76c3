# CORS and gateway responses, planned against a mocked provider (offline):
# the preflight operations per route path, the headers of each gateway response,
# the 401/403 wording, and the input rules.
mock_provider "aws" {
  mock_resource "aws_api_gateway_rest_api" {
    defaults = {
      root_resource_id = "root0"
      execution_arn    = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
    }
  }
}

variables {
  name       = "orders"
  authorizer = { name = "orders-authorizer-openapi", invoke_arn = "arn:authorizer" }
  routes = {
    "GET /users/{userId}"        = { function_name = "hello", invoke_arn = "arn:hello" }
    "DELETE /users/{userId}"     = { function_name = "hello", invoke_arn = "arn:hello" }
    "GET /users/{userId}/orders" = { function_name = "orders", invoke_arn = "arn:orders" }
    "GET /"                      = { http_url = "https://example.com/" }
  }
}

run "off_by_default" {
  command = apply

  assert {
    condition     = alltrue([for _, ops in jsondecode(output.body).paths : !contains(keys(ops), "options")])
    error_message = "no OPTIONS method without cors"
  }
  assert {
    condition     = toset(keys(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"])) == toset(["UNAUTHORIZED", "ACCESS_DENIED"])
    error_message = "without cors only the 401 and 403 are customised"
  }
  assert {
    condition     = jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"].responseParameters["gatewayresponse.header.WWW-Authenticate"] == "'Bearer realm=\"orders\"'"
    error_message = "401: WWW-Authenticate names the Bearer scheme and the API's name as realm"
  }
  assert {
    condition     = !can(regex("error", jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"].responseParameters["gatewayresponse.header.WWW-Authenticate"]))
    error_message = "401: no error code (RFC 6750 3.1)"
  }
  assert {
    condition     = jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"].statusCode == "401" && jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["ACCESS_DENIED"].statusCode == "403"
    error_message = "status codes"
  }
  assert {
    condition     = jsondecode(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["ACCESS_DENIED"].responseTemplates["application/json"]).message == "The token is valid but does not grant access to this resource"
    error_message = "403: the default message says the token is valid but not for this resource"
  }
  assert {
    condition     = !can(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["ACCESS_DENIED"].responseParameters)
    error_message = "403 without cors: no headers (null, not an empty map, so the second plan is clean)"
  }
  assert {
    condition     = length(output.cors_response_headers) == 0
    error_message = "no backend headers without cors"
  }
}

run "on" {
  command = apply
  variables {
    cors = { allow_origin = "http://127.0.0.1:8081" }
  }

  assert {
    condition     = toset([for p, ops in jsondecode(output.body).paths : p if contains(keys(ops), "options")]) == toset(["/users/{userId}", "/users/{userId}/orders", "/"])
    error_message = "one OPTIONS method per route path"
  }
  assert {
    condition     = alltrue([for _, ops in jsondecode(output.body).paths : !can(ops.options.security)])
    error_message = "a preflight carries no token: OPTIONS has no authorizer"
  }
  assert {
    condition     = alltrue([for _, ops in jsondecode(output.body).paths : ops.options["x-amazon-apigateway-integration"].type == "mock" && jsondecode(ops.options["x-amazon-apigateway-integration"].requestTemplates["application/json"]).statusCode == 204])
    error_message = "MOCK integrations answering 204"
  }
  assert {
    condition     = jsondecode(output.body).paths["/users/{userId}"].options["x-amazon-apigateway-integration"].responses.default.responseParameters["method.response.header.Access-Control-Allow-Methods"] == "'DELETE,GET,OPTIONS'"
    error_message = "allowed methods default to the path's verbs plus OPTIONS"
  }
  assert {
    condition     = jsondecode(output.body).paths["/"].options["x-amazon-apigateway-integration"].responses.default.responseParameters["method.response.header.Access-Control-Allow-Origin"] == "'http://127.0.0.1:8081'"
    error_message = "the preflight names the one origin"
  }
  assert {
    condition     = jsondecode(output.body).paths["/"].options["x-amazon-apigateway-integration"].responses.default.responseParameters["method.response.header.Access-Control-Allow-Headers"] == "'Authorization,Content-Type'"
    error_message = "allowed headers default to Authorization and Content-Type"
  }
  assert {
    condition     = jsondecode(output.body).paths["/"].options["x-amazon-apigateway-integration"].responses.default.responseParameters["method.response.header.Access-Control-Max-Age"] == "'600'"
    error_message = "max age"
  }
  assert {
    condition     = alltrue([for _, ops in jsondecode(output.body).paths : !contains(keys(ops.options["x-amazon-apigateway-integration"].responses.default.responseParameters), "method.response.header.Access-Control-Allow-Credentials")])
    error_message = "no credentials mode"
  }
  assert {
    condition     = alltrue([for _, ops in jsondecode(output.body).paths : toset([for h, _ in ops.options.responses["204"].headers : "method.response.header.${h}"]) == toset(keys(ops.options["x-amazon-apigateway-integration"].responses.default.responseParameters))])
    error_message = "every header the integration response maps is declared on the method response"
  }
  assert {
    condition     = toset(keys(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"])) == toset(["UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "DEFAULT_4XX", "DEFAULT_5XX"])
    error_message = "the five gateway responses"
  }
  assert {
    condition = alltrue([for _, r in jsondecode(output.body)["x-amazon-apigateway-gateway-responses"] : (
      r.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "'http://127.0.0.1:8081'" &&
      r.responseParameters["gatewayresponse.header.Access-Control-Expose-Headers"] == "'WWW-Authenticate'" &&
      r.responseParameters["gatewayresponse.header.Vary"] == "'Origin'"
    )])
    error_message = "every gateway response carries the origin, exposes WWW-Authenticate and varies on Origin"
  }
  assert {
    condition     = jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"].responseParameters["gatewayresponse.header.WWW-Authenticate"] == "'Bearer realm=\"orders\"'"
    error_message = "the 401 keeps WWW-Authenticate with cors"
  }
  assert {
    condition     = !can(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"].responseTemplates) && !can(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"].statusCode)
    error_message = "MISSING_AUTHENTICATION_TOKEN stays as API Gateway words it"
  }
  assert {
    condition     = output.cors_response_headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8081" && output.cors_response_headers["Vary"] == "Origin"
    error_message = "the headers backends must send"
  }
}

run "configured" {
  command = plan
  variables {
    cors = {
      allow_origin    = "https://app.example.com"
      allow_headers   = ["authorization"]
      allow_methods   = ["GET", "OPTIONS"]
      max_age_seconds = 0
    }
    gateway_responses = {
      realm                 = "orders api"
      unauthorized_message  = "Sign in again"
      access_denied_message = "Not yours"
    }
  }

  assert {
    condition     = jsondecode(output.body).paths["/users/{userId}"].options["x-amazon-apigateway-integration"].responses.default.responseParameters["method.response.header.Access-Control-Allow-Methods"] == "'GET,OPTIONS'"
    error_message = "allow_methods replaces the per-path verbs"
  }
  assert {
    condition     = jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"].responseParameters["gatewayresponse.header.WWW-Authenticate"] == "'Bearer realm=\"orders api\"'"
    error_message = "realm"
  }
  assert {
    condition     = jsondecode(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"].responseTemplates["application/json"]).message == "Sign in again"
    error_message = "401 message"
  }
  assert {
    condition     = jsondecode(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]["ACCESS_DENIED"].responseTemplates["application/json"]).message == "Not yours"
    error_message = "403 message"
  }
}

run "responses_left_to_api_gateway" {
  command = plan
  variables {
    gateway_responses = { create = false }
  }

  assert {
    condition     = length(jsondecode(output.body)["x-amazon-apigateway-gateway-responses"]) == 0
    error_message = "create = false customises nothing"
  }
}

run "origin_with_path" {
  command = plan
  variables {
    cors = { allow_origin = "https://app.example.com/" }
  }
  expect_failures = [var.cors]
}

run "origin_list" {
  command = plan
  variables {
    cors = { allow_origin = "https://a.example.com,https://b.example.com" }
  }
  expect_failures = [var.cors]
}

run "headers_without_authorization" {
  command = plan
  variables {
    cors = { allow_origin = "https://app.example.com", allow_headers = ["Content-Type"] }
  }
  expect_failures = [var.cors]
}

run "header_breaking_the_static_value" {
  command = plan
  variables {
    cors = { allow_origin = "https://app.example.com", allow_headers = ["Authorization", "X-It's"] }
  }
  expect_failures = [var.cors]
}

run "method_unknown" {
  command = plan
  variables {
    cors = { allow_origin = "https://app.example.com", allow_methods = ["GET", "TRACE"] }
  }
  expect_failures = [var.cors]
}

run "max_age_over_a_day" {
  command = plan
  variables {
    cors = { allow_origin = "https://app.example.com", max_age_seconds = 86401 }
  }
  expect_failures = [var.cors]
}

run "realm_with_quote" {
  command = plan
  variables {
    gateway_responses = { realm = "a\"b" }
  }
  expect_failures = [var.gateway_responses]
}

run "message_with_template_syntax" {
  command = plan
  variables {
    gateway_responses = { access_denied_message = "$context.error.messageString" }
  }
  expect_failures = [var.gateway_responses]
}
