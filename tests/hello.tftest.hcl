# create_hello, and hello_issuers, hello's ISSUER_NAMES: its default, its normal form and the
# plan-time checks against issuers and hello_route, planned against a mocked
# provider (offline, no moto).
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name               = "orders"
  authorizer_package = { path = "modules/function/tests/bootstrap.zip" }
  hello_package      = { path = "modules/function/tests/bootstrap.zip" }
  issuers = {
    cognito = { issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example", client_ids = ["4k1example"], token_use = "access" }
    okta    = { issuer = "https://example.okta.com/oauth2/default", audiences = ["api://default"], user_id_claim = "uid" }
  }
  hello_route = { issuers = ["cognito"] }
}

run "default_is_hello_route_issuers" {
  command = plan
  assert {
    condition     = join(",", local.hello_issuers) == "cognito"
    error_message = "hello_issuers = null must give hello_route.issuers, got ${join(",", local.hello_issuers)}."
  }
}

run "sorted_and_deduplicated" {
  command = plan
  variables {
    hello_issuers = ["okta", "cognito", "okta"]
    routes = {
      "GET /staff/hello/{userId}" = {
        function_name = "orders-hello"
        invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders-hello/invocations"
        issuers       = ["okta"]
      }
    }
  }
  assert {
    condition     = join(",", local.hello_issuers) == "cognito,okta"
    error_message = "ISSUER_NAMES must be sorted and deduplicated, got ${join(",", local.hello_issuers)}."
  }
}

run "empty_serves_any_issuer" {
  command = plan
  variables {
    hello_issuers = []
  }
  assert {
    condition     = length(local.hello_issuers) == 0
    error_message = "hello_issuers = [] must set no ISSUER_NAMES."
  }
}

run "unknown_issuer" {
  command = plan
  variables {
    hello_issuers = ["cognito", "auth0"]
  }
  expect_failures = [output.hello_function_name]
}

run "leaves_out_hello_route_issuer" {
  command = plan
  variables {
    hello_issuers = ["okta"]
  }
  expect_failures = [output.hello_function_name]
}

run "not_an_issuer_name" {
  command = plan
  variables {
    hello_issuers = ["okta.com"]
  }
  expect_failures = [var.hello_issuers]
}

# create_hello = false: a consumer's own routes only, with no hello package
# at all (the path below does not exist).
run "without_hello" {
  command = apply
  variables {
    hello_package = { path = "does/not/exist/hello.zip" }
    create_hello  = false
    hello_route   = {}
    routes = {
      "GET /orders/{userId}" = {
        function_name = "orders-api"
        invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders-api/invocations"
        scopes        = ["orders.read"]
        issuers       = ["cognito"]
      }
    }
  }
  assert {
    condition     = length(module.hello) == 0 && output.hello_function_name == null && output.hello_url_template == null
    error_message = "create_hello = false creates no hello function, and its outputs are null"
  }
  assert {
    condition     = keys(output.route_urls) == ["GET /orders/{userId}"]
    error_message = "only the caller's routes are served"
  }
  assert {
    condition     = jsondecode(module.authorizer.environment["ROUTES"])[0].route == "GET/orders/{userId}"
    error_message = "the authorizer's routes are the caller's"
  }
}

run "with_hello_by_default" {
  command = plan
  variables {
    create_hello  = true
    hello_package = { path = "modules/function/tests/bootstrap.zip" }
  }
  assert {
    condition     = length(module.hello) == 1
    error_message = "hello is created by default"
  }
}

run "route_key_of_hello_refused" {
  command = plan
  variables {
    routes = {
      "GET /hello/{userId}" = {
        function_name = "orders-api"
        invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders-api/invocations"
        issuers       = ["cognito"]
      }
    }
  }
  expect_failures = [terraform_data.input_checks]
}
