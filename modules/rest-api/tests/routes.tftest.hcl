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
  name          = "orders"
  authorizer_id = "auth01"
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
    condition     = toset(keys(aws_api_gateway_resource.depth1)) == toset(["/users", "/files", "/status", "/orders"])
    error_message = "depth 1 holds each first segment once"
  }
  assert {
    condition     = toset(keys(aws_api_gateway_resource.depth2)) == toset(["/users/{userId}", "/files/{proxy+}", "/orders/{orderId}"])
    error_message = "shared prefixes share their resource"
  }
  assert {
    condition     = aws_api_gateway_resource.depth3["/users/{userId}/orders"].path_part == "orders"
    error_message = "depth 3 path part"
  }
  assert {
    condition     = length(aws_api_gateway_resource.depth4) == 1 && length(aws_api_gateway_resource.depth5) == 0
    error_message = "depth 4 holds /orders/{orderId}/lines/{n}"
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
    condition     = aws_api_gateway_integration.this["GET /status"].type == "HTTP_PROXY" && aws_api_gateway_integration.this["GET /users/{userId}"].type == "AWS_PROXY"
    error_message = "integration types"
  }
  assert {
    condition     = aws_api_gateway_integration.this["PUT /orders/{orderId}/lines/{n}"].request_parameters["integration.request.path.orderId"] == "method.request.path.orderId"
    error_message = "HTTP_PROXY path parameters are passed on"
  }
  assert {
    condition = aws_api_gateway_integration.this["PUT /orders/{orderId}/lines/{n}"].request_parameters == tomap({
      "integration.request.path.orderId"     = "method.request.path.orderId"
      "integration.request.path.n"           = "method.request.path.n"
      "integration.request.header.X-User-Id" = "context.authorizer.userId"
      "integration.request.header.X-Issuer"  = "context.authorizer.issuerName"
      "integration.request.header.X-Scope"   = "context.authorizer.scope"
    })
    error_message = "an HTTP_PROXY integration maps its path parameters and the authorizer's userId, issuerName and scope into X-User-Id, X-Issuer and X-Scope"
  }
  assert {
    condition     = aws_api_gateway_integration.this["GET /status"].request_parameters["integration.request.header.X-User-Id"] == "context.authorizer.userId"
    error_message = "an HTTP_PROXY route without path parameters gets the identity headers too"
  }
  assert {
    condition     = length(coalesce(aws_api_gateway_integration.this["GET /users/{userId}"].request_parameters, {})) == 0
    error_message = "an AWS_PROXY integration maps nothing: the function reads requestContext.authorizer"
  }
  assert {
    condition     = aws_api_gateway_method.this["GET /files/{proxy+}"].request_parameters["method.request.path.proxy"]
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
    condition = (aws_api_gateway_integration.this["GET /status"].request_parameters["integration.request.header.X-Claim-email"] == "context.authorizer.email" &&
    aws_api_gateway_integration.this["GET /status"].request_parameters["integration.request.header.X-Claim-tenant-id"] == "context.authorizer.tenant_id")
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
