# Plan-time checks of the authorizer's settings: each run states one rule of
# functions/internal/config and expects the plan to fail on it. The provider is
# mocked, so `terraform test` runs offline without any AWS (or moto).
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                   = "orders-authorizer"
  rest_api_id            = "abc123"
  rest_api_execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
  package                = { path = "tests/bootstrap.zip" }
  issuers = {
    okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["api://default"], user_id_claim = "uid" }
  }
}

run "valid" {
  command = plan

  variables {
    routes = {
      "GET /users/{userId}/orders" = { scopes = ["orders.read"] }
      "GET /users/{userId}"        = {}
      "GET /status"                = {}
      "DELETE /orders/{orderId}"   = { scopes = ["orders.write"] }
    }
  }

  assert {
    condition     = length(jsondecode(output.environment["ROUTES"])) == 4
    error_message = "ROUTES is set"
  }
  assert {
    condition     = !contains(keys(output.environment), "KEYS_CACHE_TTL_SECONDS")
    error_message = "null settings are left to the function's default"
  }
}

run "issuer_without_audiences_or_client_ids" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default" } }
  }
  expect_failures = [var.issuers]
}

run "issuer_plain_http_not_loopback" {
  command = plan
  variables {
    issuers = { okta = { issuer = "http://dev-1.okta.com/oauth2/default", audiences = ["api://default"] } }
  }
  expect_failures = [var.issuers]
}

run "issuer_name_charset" {
  command = plan
  variables {
    issuers = { "okta prod" = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"] } }
  }
  expect_failures = [var.issuers]
}

run "duplicate_issuer_url" {
  command = plan
  variables {
    issuers = {
      a = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"] }
      b = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["b"] }
    }
  }
  expect_failures = [var.issuers]
}

run "verb_star" {
  command = plan
  variables {
    routes = { "* /users/{userId}" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "verb_options" {
  command = plan
  variables {
    routes = { "OPTIONS /users/{userId}" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "user_id_twice" {
  command = plan
  variables {
    routes = { "GET /users/{userId}/friends/{userId}" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "user_id_partial_segment" {
  command = plan
  variables {
    routes = { "GET /users/u-{userId}" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "user_id_other_case" {
  command = plan
  variables {
    routes = { "GET /users/{userid}" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "wildcard_mid_path" {
  command = plan
  variables {
    routes = { "GET /users/*/orders" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "wildcard_after_parameter" {
  command = plan
  variables {
    routes = { "GET /orders/{orderId}/*" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "tenant_parameter_before_user" {
  command = plan
  variables {
    routes = { "GET /{tenant}/{userId}/*" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

# The rules between routes are modules/route-rules' (its tests read the table
# the Go rules are tested with); here, that the authorizer applies them.
run "child_hidden_by_parent_deny" {
  command = plan
  variables {
    routes = {
      "GET /projects/{projectId}"         = { scopes = ["projects.read"] }
      "GET /projects/{projectId}/secrets" = { scopes = ["secrets.read"] }
    }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "open_route_covers_user_route" {
  command = plan
  variables {
    routes = {
      "GET /users/{userId}/orders" = {}
      "GET /{tenant}/orders"       = {}
    }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "two_issuers_unbound_user_route" {
  command = plan
  variables {
    issuers = {
      okta    = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["api://default"] }
      cognito = { issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", client_ids = ["c1"] }
    }
    routes = { "GET /users/{userId}" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "two_issuers_default_route" {
  command = plan
  variables {
    issuers = {
      okta    = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["api://default"] }
      cognito = { issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", client_ids = ["c1"] }
    }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "route_names_unknown_issuer" {
  command = plan
  variables {
    routes = { "GET /users/{userId}" = { issuers = ["cognito"] } }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "algorithm_hmac" {
  command = plan
  variables {
    allowed_algorithms = ["HS256"]
  }
  expect_failures = [var.allowed_algorithms]
}

run "duration_out_of_range" {
  command = plan
  variables {
    clock_skew_seconds = 7200
  }
  expect_failures = [var.clock_skew_seconds]
}

# The timeout bound (2 x jwks_fetch_timeout_ms + 1 s) and the missing-package
# error are preconditions of the function's resource: modules/function/tests.
run "timeout_at_cold_start_bound" {
  command = plan
  variables {
    jwks_fetch_timeout_ms = 2500
    function              = { timeout = 6 }
  }
}

run "environment_over_4kb" {
  command = plan
  variables {
    routes = { for i in range(60) : "GET /a-rather-long-resource-name-${i}/{userId}" => { scopes = ["scope.number.${i}"] } }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "scope_with_quote" {
  command = plan
  variables {
    required_scopes = ["orders\"read"]
  }
  expect_failures = [var.required_scopes]
}

run "user_id_claim_with_comma" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], user_id_claim = "uid,string" } }
  }
  expect_failures = [var.issuers]
}

run "user_id_claim_outside_alphabet" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], user_id_claim = "uid@example" } }
  }
  expect_failures = [var.issuers]
}

run "user_id_claim_too_long" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], user_id_claim = join("", [for i in range(65) : "u"]) } }
  }
  expect_failures = [var.issuers]
}

run "user_id_claim_registered" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], user_id_claim = "iss" } }
  }
  expect_failures = [var.issuers]
}

run "user_id_claim_client_id" {
  command = plan
  variables {
    issuers = { cognito = { issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", client_ids = ["c1"], user_id_claim = "client_id" } }
  }
  expect_failures = [var.issuers]
}

run "user_id_claim_scope" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], user_id_claim = "scp" } }
  }
  expect_failures = [var.issuers]
}

run "user_id_claim_url" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], user_id_claim = "https://example.com/uid" } }
  }
}

run "user_id_claim_sub" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], user_id_claim = "sub" } }
  }
}

run "user_id_claim_plain" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], user_id_claim = "custom:tenant_user-id" } }
    routes  = { "GET /users/{userId}" = { scopes = ["api://orders/read", "orders.read"] } }
  }
}

# Everything API Gateway reads from the authorizer reaches the stage only by
# a new deployment: the hash the deployments' triggers take changes with it.
run "redeployment_hash_base" {
  command = apply
}

run "redeployment_hash_ttl" {
  command = apply
  variables {
    result_ttl_in_seconds = 60
  }
  assert {
    condition     = output.redeployment_hash != run.redeployment_hash_base.redeployment_hash
    error_message = "a new result TTL must change the redeployment hash"
  }
}

run "redeployment_hash_validation_expression" {
  command = apply
  variables {
    identity_validation_expression = "^Bearer .+$"
  }
  assert {
    condition     = output.redeployment_hash != run.redeployment_hash_base.redeployment_hash
    error_message = "a new identity validation expression must change the redeployment hash"
  }
}

run "redeployment_hash_provisioned_concurrency" {
  command = apply
  variables {
    function = { provisioned_concurrent_executions = 2 }
  }
  assert {
    condition     = output.redeployment_hash != run.redeployment_hash_base.redeployment_hash
    error_message = "moving the authorizer to the alias (provisioned concurrency) must change the redeployment hash"
  }
  assert {
    condition     = aws_lambda_permission.this.qualifier == module.function.qualifier && module.function.qualifier != null
    error_message = "the authorizer's permission names the qualifier its URI invokes"
  }
}

# 4 KB is counted in bytes: 2,100 two-byte characters are 4,200 bytes.
run "environment_over_4kb_in_bytes" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = [join("", [for i in range(700) : "ééé"])] } }
  }
  expect_failures = [aws_lambda_permission.this]
}

# The role reaches only the configured issuers' items of the key table, and
# the table's customer key only through DynamoDB in the API's region.
run "key_table_grants_are_narrow" {
  command = plan
  variables {
    key_table = { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  assert {
    condition     = local.policy_statements[0].conditions[0].variable == "dynamodb:LeadingKeys" && local.policy_statements[0].conditions[0].values == ["JWKS#https://dev-1.okta.com/oauth2/default"]
    error_message = "UpdateItem and GetItem only on the issuers' items (dynamodb:LeadingKeys)"
  }
  assert {
    condition     = local.policy_statements[1].conditions[0].variable == "kms:ViaService" && local.policy_statements[1].conditions[0].values == ["dynamodb.eu-west-1.amazonaws.com"]
    error_message = "the customer key only through DynamoDB in the region (kms:ViaService)"
  }
}

# Issue 20: groups, tenant-bound paths, forwarded claims (functions/internal/config/claims.go).
run "groups_tenants_and_forwarded_claims" {
  command = plan
  variables {
    issuers = {
      cognito = {
        issuer         = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example"
        client_ids     = ["client-1"]
        groups_claim   = ["cognito:groups"]
        path_claims    = { tenantId = "custom:tenant_id" }
        context_claims = { email = "email", tenant = "custom:tenant_id" }
      }
      keycloak = {
        issuer       = "https://sso.example.com/realms/orders"
        audiences    = ["orders"]
        groups_claim = ["realm_access", "roles"]
      }
    }
    routes = {
      "GET /tenants/{tenantId}/orders"              = { issuers = ["cognito"] }
      "DELETE /tenants/{tenantId}/orders/{orderId}" = { issuers = ["cognito"], groups = ["admins"] }
      "GET /admin/reports"                          = { groups = ["admin", "https://example.com/roles/admin"] }
    }
  }
  assert {
    condition     = jsondecode(output.environment["ISSUERS"])[0].groups_claim == ["cognito:groups"] && jsondecode(output.environment["ISSUERS"])[0].path_claims == { tenantId = "custom:tenant_id" }
    error_message = "groups_claim and path_claims reach ISSUERS"
  }
  assert {
    condition     = !contains(keys(jsondecode(output.environment["ISSUERS"])[1]), "path_claims")
    error_message = "an issuer without path_claims leaves them out of ISSUERS"
  }
  assert {
    condition     = length([for r in jsondecode(output.environment["ROUTES"]) : r if try(r.groups, []) == ["admins"]]) == 1
    error_message = "route groups reach ROUTES, and only where set"
  }
  assert {
    condition     = sum([for k, v in output.environment : length("${k}${v}")]) < 1024
    error_message = "two issuers with groups, a tenant and forwarded claims, and three routes, fit in 1 KB of the 4 KB environment"
  }
}

run "groups_claim_too_deep" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], groups_claim = ["a", "b", "c", "d", "e"] } }
  }
  expect_failures = [var.issuers]
}

run "groups_claim_empty" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], groups_claim = [] } }
  }
  expect_failures = [var.issuers]
}

run "groups_claim_space" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], groups_claim = ["my groups"] } }
  }
  expect_failures = [var.issuers]
}

run "route_group_with_space" {
  command = plan
  variables {
    routes = { "GET /admin" = { groups = ["Domain Admins"] } }
  }
  expect_failures = [var.routes]
}

run "path_claims_binds_user_id" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], path_claims = { userId = "uid" } } }
  }
  expect_failures = [var.issuers]
}

run "path_claims_registered_claim" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], path_claims = { tenantId = "iss" } } }
  }
  expect_failures = [var.issuers]
}

run "context_claims_reserved_key" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], context_claims = { issuerName = "email" } } }
  }
  expect_failures = [var.issuers]
}

run "context_claims_reserved_key_other_case" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], context_claims = { USERID = "email" } } }
  }
  expect_failures = [var.issuers]
}

run "context_claims_api_gateway_key" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], context_claims = { principalId = "email" } } }
  }
  expect_failures = [var.issuers]
}

run "context_claims_key_dash" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], context_claims = { "e-mail" = "email" } } }
  }
  expect_failures = [var.issuers]
}

run "bound_parameter_after_unbound" {
  command = plan
  variables {
    issuers = { okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], path_claims = { tenantId = "tid" } } }
    routes  = { "GET /{region}/tenants/{tenantId}" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "bound_route_of_issuer_without_the_claim" {
  command = plan
  variables {
    issuers = {
      okta    = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], path_claims = { tenantId = "tid" } }
      cognito = { issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example", client_ids = ["c"] }
    }
    routes = { "GET /tenants/{tenantId}" = { issuers = ["cognito"] } }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "bound_route_two_issuers" {
  command = plan
  variables {
    issuers = {
      okta    = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["a"], path_claims = { tenantId = "tid" } }
      cognito = { issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example", client_ids = ["c"], path_claims = { tenantId = "custom:tenant_id" } }
    }
    routes = { "GET /tenants/{tenantId}" = {} }
  }
  expect_failures = [aws_lambda_permission.this]
}

run "groups_child_hidden_by_parent" {
  command = plan
  variables {
    routes = {
      "GET /projects/{projectId}"         = { groups = ["admins"] }
      "GET /projects/{projectId}/secrets" = { groups = ["admins", "auditors"] }
    }
  }
  expect_failures = [aws_lambda_permission.this]
}
