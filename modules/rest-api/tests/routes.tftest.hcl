# The routes map, planned against a mocked provider (offline): the resource
# tree, the authorizer's routes, the permissions, and the route key rules.
mock_provider "aws" {
  mock_resource "aws_api_gateway_rest_api" {
    defaults = {
      root_resource_id = "root0"
      execution_arn    = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
    }
  }
}

variables {
  name = "orders"
  authorizer = {
    name                           = "orders-authorizer-openapi"
    invoke_arn                     = "arn:authorizer"
    identity_validation_expression = "^Bearer .+$"
    result_ttl_in_seconds          = 0
  }
  routes = {
    "GET /users/{userId}"             = { function_name = "hello", invoke_arn = "arn:hello" }
    "GET /users/{userId}/orders"      = { function_name = "orders", invoke_arn = "arn:orders", scopes = ["orders.read"] }
    "GET /files/{proxy+}"             = { function_name = "files", invoke_arn = "arn:files" }
    "GET /status"                     = { http_url = "http://127.0.0.1:8081/status" }
    "PUT /orders/{orderId}/lines/{n}" = { http_url = "https://orders.example.com/{orderId}/lines/{n}" }
    "GET /"                           = { http_url = "https://example.com/" }
  }
}

run "tree" {
  command = apply

  assert {
    condition     = toset(keys(jsondecode(output.body).paths)) == toset(["/users/{userId}", "/users/{userId}/orders", "/files/{proxy+}", "/status", "/orders/{orderId}/lines/{n}", "/"])
    error_message = "one OpenAPI path per route path: API Gateway builds the resource tree from them"
  }
  assert {
    condition     = alltrue(flatten([for _, ops in jsondecode(output.body).paths : [for _, op in ops : length(op.security) == 1 && keys(op.security[0]) == ["orders-authorizer-openapi"]]]))
    error_message = "every operation requires the authorizer"
  }
  assert {
    condition = jsondecode(output.body).components.securitySchemes["orders-authorizer-openapi"] == {
      type                             = "apiKey", name = "Authorization", in = "header", "x-amazon-apigateway-authtype" = "custom"
      "x-amazon-apigateway-authorizer" = { type = "token", authorizerUri = "arn:authorizer", authorizerResultTtlInSeconds = 0, identityValidationExpression = "^Bearer .+$" }
    }
    error_message = "the authorizer is a TOKEN security scheme with its URI, TTL and validation expression"
  }
  assert {
    condition     = aws_api_gateway_rest_api.this.put_rest_api_mode == "overwrite"
    error_message = "the body replaces the whole definition: a removed route is gone"
  }
  assert {
    condition     = length(output.authorizer_routes["GET /files/*"].scopes) == 0 && output.authorizer_routes["GET /users/{userId}/orders"].scopes[0] == "orders.read"
    error_message = "authorizer routes: {proxy+} as a final /*, scopes kept"
  }
  assert {
    condition     = aws_lambda_permission.route["GET /users/{userId}/orders"].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/users/*/orders"
    error_message = "a permission is scoped to the stage, verb and path"
  }
  assert {
    condition     = length(aws_lambda_permission.route) == 3
    error_message = "one permission per Lambda route, none for HTTP routes"
  }
  assert {
    condition     = jsondecode(output.body).paths["/status"].get["x-amazon-apigateway-integration"].type == "http_proxy" && jsondecode(output.body).paths["/users/{userId}"].get["x-amazon-apigateway-integration"].type == "aws_proxy"
    error_message = "integration types"
  }
  assert {
    condition     = jsondecode(output.body).paths["/orders/{orderId}/lines/{n}"].put["x-amazon-apigateway-integration"].requestParameters["integration.request.path.orderId"] == "method.request.path.orderId"
    error_message = "HTTP_PROXY path parameters are passed on"
  }
  assert {
    condition = jsondecode(output.body).paths["/orders/{orderId}/lines/{n}"].put["x-amazon-apigateway-integration"].requestParameters == {
      "integration.request.path.orderId"     = "method.request.path.orderId"
      "integration.request.path.n"           = "method.request.path.n"
      "integration.request.header.X-User-Id" = "context.authorizer.userId"
      "integration.request.header.X-Issuer"  = "context.authorizer.issuerName"
      "integration.request.header.X-Scope"   = "context.authorizer.scope"
    }
    error_message = "an HTTP_PROXY integration maps its path parameters and the authorizer's userId, issuerName and scope into X-User-Id, X-Issuer and X-Scope"
  }
  assert {
    condition     = jsondecode(output.body).paths["/status"].get["x-amazon-apigateway-integration"].requestParameters["integration.request.header.X-User-Id"] == "context.authorizer.userId"
    error_message = "an HTTP_PROXY route without path parameters gets the identity headers too"
  }
  assert {
    condition     = !can(jsondecode(output.body).paths["/users/{userId}"].get["x-amazon-apigateway-integration"].requestParameters)
    error_message = "an AWS_PROXY integration maps nothing: the function reads requestContext.authorizer"
  }
  assert {
    condition     = jsondecode(output.body).paths["/files/{proxy+}"].get.parameters == [{ name = "proxy", in = "path", required = true, schema = { type = "string" } }]
    error_message = "{proxy+} is a path parameter"
  }
}

run "verb_options" {
  command = plan
  variables {
    routes = { "OPTIONS /users/{userId}" = { http_url = "https://example.com" } }
  }
  expect_failures = [var.routes]
}

run "nine_segments" {
  command = plan
  variables {
    routes = { "GET /a/b/c/d/e/f/g/h/i" = { http_url = "https://example.com" } }
  }
  expect_failures = [var.routes]
}

run "proxy_not_last" {
  command = plan
  variables {
    routes = { "GET /{proxy+}/x" = { http_url = "https://example.com" } }
  }
  expect_failures = [var.routes]
}

run "sibling_variables" {
  command = plan
  variables {
    routes = {
      "GET /users/{id}"            = { http_url = "https://example.com/" }
      "GET /users/{userId}/orders" = { http_url = "https://example.com/" }
    }
  }
  expect_failures = [var.routes]
}

run "sibling_variable_and_proxy" {
  command = plan
  variables {
    routes = {
      "GET /files/{name}"   = { http_url = "https://example.com/" }
      "PUT /files/{proxy+}" = { http_url = "https://example.com/" }
    }
  }
  expect_failures = [var.routes]
}

run "path_part_characters" {
  command = plan
  variables {
    routes = { "GET /a@b" = { http_url = "https://example.com/" } }
  }
  expect_failures = [var.routes]
}

run "parameter_name_starting_with_a_digit" {
  command = plan
  variables {
    routes = { "GET /{1abc}" = { http_url = "https://example.com/" } }
  }
  expect_failures = [var.routes]
}

run "http_url_without_the_parameter" {
  command = plan
  variables {
    routes = { "GET /orders/{orderId}" = { http_url = "https://orders.example.com/orders" } }
  }
  expect_failures = [var.routes]
}

run "invoke_arn_of_another_qualifier" {
  command = plan
  variables {
    routes = { "GET /a" = {
      function_name = "orders"
      qualifier     = "live"
      invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders/invocations"
    } }
  }
  expect_failures = [var.routes]
}

run "timeout_out_of_range" {
  command = plan
  variables {
    routes = { "GET /a" = { http_url = "https://example.com/a", timeout_milliseconds = 30000 } }
  }
  expect_failures = [var.routes]
}

run "two_backends" {
  command = plan
  variables {
    routes = { "GET /x" = { http_url = "https://example.com", function_name = "f", invoke_arn = "arn:f" } }
  }
  expect_failures = [var.routes]
}

run "access_logs_need_the_account_role" {
  command = plan
  variables {
    access_logs = { enabled = true }
  }
  expect_failures = [var.access_logs]
}

run "permissions_per_function" {
  command = apply
  variables {
    permissions = "per_function"
  }
  assert {
    condition     = length(aws_lambda_permission.route) == 3 && aws_lambda_permission.route["orders:-"].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*/*"
    error_message = "one permission per function, for any route of the stage"
  }
}

run "statement_ids_name_the_stage" {
  command = apply
  variables {
    stage_name = "v2"
  }
  assert {
    condition     = aws_lambda_permission.route["GET /users/{userId}/orders"].statement_id == "AllowApiGateway-${substr(sha1("${aws_api_gateway_rest_api.this.id}/v2/GET /users/{userId}/orders"), 0, 16)}"
    error_message = "the statement id hashes the API, the stage and the route"
  }
}

# Issue 20: forwarded claims reach HTTP backends as X-Claim-<key>; routes pass their groups on.
run "forwarded_claims_and_groups" {
  command = plan
  variables {
    forwarded_context_keys = ["email", "tenant_id"]
    routes = {
      "GET /status"                     = { http_url = "http://127.0.0.1:8081/status" }
      "GET /tenants/{tenantId}/reports" = { http_url = "https://reports.example.com/{tenantId}", groups = ["admins"] }
    }
  }
  assert {
    condition = (jsondecode(output.body).paths["/status"].get["x-amazon-apigateway-integration"].requestParameters["integration.request.header.X-Claim-email"] == "context.authorizer.email" &&
    jsondecode(output.body).paths["/status"].get["x-amazon-apigateway-integration"].requestParameters["integration.request.header.X-Claim-tenant-id"] == "context.authorizer.tenant_id")
    error_message = "each forwarded context key is a header X-Claim-<key>, _ written -"
  }
  assert {
    condition     = output.authorizer_routes["GET /tenants/{tenantId}/reports"].groups == tolist(["admins"])
    error_message = "a route's groups reach the authorizer's routes"
  }
}

run "forwarded_context_key_charset" {
  command = plan
  variables {
    forwarded_context_keys = ["e-mail"]
  }
  expect_failures = [var.forwarded_context_keys]
}
