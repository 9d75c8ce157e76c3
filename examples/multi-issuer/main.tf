# Two identity providers in front of one API: customers sign in with a
# Cognito user pool, the workforce with Okta. Each route names the scopes
# it needs and, when it is bound to a user ({userId}), the one issuer whose
# user ids it trusts: two issuers may mint the same id for different people,
# so a {userId} route serving both would let each reach the other's data.
# Both issuers' users get hello and profiles through two routes, one per
# issuer: /hello and /profiles for customers, /staff/... for the workforce.

resource "aws_cognito_user_pool" "customers" {
  name = "${var.name}-customers"

  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]

  password_policy {
    minimum_length    = 12
    require_lowercase = true
    require_uppercase = true
    require_numbers   = true
    require_symbols   = false
  }

  tags = var.tags
}

resource "aws_cognito_user_pool_client" "web" {
  name         = "${var.name}-web"
  user_pool_id = aws_cognito_user_pool.customers.id

  generate_secret = false
  explicit_auth_flows = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
  ]
  prevent_user_existence_errors = "ENABLED"
}

locals {
  # The API behind the authorizer, besides hello's own route.
  routes = {
    # hello for the workforce: the customers' hello_route below names
    # cognito only, so Okta users get their own route to the same function.
    "GET /staff/hello/{userId}" = {
      function_name = module.jwt_authorizer.hello_function_name
      invoke_arn    = module.jwt_authorizer.hello_invoke_arn
      issuers       = ["okta"]
    }
    # An employee's own orders: Okta tokens with the orders.read scope only.
    "GET /orders/{userId}" = {
      function_name = module.jwt_authorizer.hello_function_name
      invoke_arn    = module.jwt_authorizer.hello_invoke_arn
      scopes        = ["orders.read"]
      issuers       = ["okta"]
    }
    # A profile section, served by an HTTP backend; {userId} and {section}
    # fill the same names in its URL. One route per issuer, each to its own
    # backend path, so that the backend too knows whose user id it is given.
    "GET /profiles/{userId}/{section}" = {
      http_url = "${var.backend_url}/profiles/{userId}/{section}"
      issuers  = ["cognito"]
    }
    "GET /staff/profiles/{userId}/{section}" = {
      http_url = "${var.backend_url}/staff/profiles/{userId}/{section}"
      issuers  = ["okta"]
    }
    # Open to any caller of either issuer whose token carries status.read.
    "GET /status" = {
      http_url = "${var.backend_url}/status"
      scopes   = ["status.read"]
    }
    # Documents under /docs, any depth: an open {proxy+} route.
    "GET /docs/{proxy+}" = {
      http_url = "${var.backend_url}/docs/{proxy}"
      scopes   = ["docs.read"]
    }
  }
}

module "jwt_authorizer" {
  source = "../../"

  name               = var.name
  architecture       = var.architecture
  authorizer_package = { path = var.authorizer_package }
  hello_package      = { path = var.hello_package }

  issuers = {
    # Customers: the pool's access tokens issued to the web client.
    cognito = {
      issuer     = "https://${aws_cognito_user_pool.customers.endpoint}"
      jwks_url   = var.cognito_jwks_url == null ? null : replace(var.cognito_jwks_url, "{user_pool_id}", aws_cognito_user_pool.customers.id)
      token_use  = "access"
      client_ids = [aws_cognito_user_pool_client.web.id]
    }
    # The workforce: Okta's custom authorization server; its access tokens
    # carry aud api://default and the user's Okta id in uid.
    okta = {
      issuer        = var.okta_issuer
      jwks_url      = var.okta_jwks_url
      audiences     = [var.okta_audience]
      user_id_claim = "uid"
    }
  }

  hello_route = {
    key     = "GET /hello/{userId}"
    issuers = ["cognito"]
  }
  # hello checks the token's issuer too (its ISSUER_NAMES): it serves
  # hello_route's customers and the Okta users of /staff/hello and /orders.
  hello_issuers = ["cognito", "okta"]
  routes        = local.routes

  authorizer_result_ttl = var.authorizer_result_ttl

  tags = var.tags
}
