resource "aws_cognito_user_pool" "this" {
  name = var.name

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

resource "aws_cognito_user_pool_client" "this" {
  name         = "${var.name}-client"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret = false
  explicit_auth_flows = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
  ]
  prevent_user_existence_errors = "ENABLED"

  # With a callback URL the hosted UI signs people in for the web page:
  # authorization code flow only (the page sends a PKCE challenge; a public
  # client without secret cannot keep one), no implicit flow.
  allowed_oauth_flows_user_pool_client = var.callback_url != null
  allowed_oauth_flows                  = var.callback_url == null ? null : ["code"]
  allowed_oauth_scopes                 = var.callback_url == null ? null : ["openid", "email"]
  supported_identity_providers         = var.callback_url == null ? null : ["COGNITO"]
  callback_urls                        = var.callback_url == null ? null : [var.callback_url]
  logout_urls                          = var.callback_url == null ? null : [var.callback_url]
}

# The hosted UI at https://PREFIX.auth.REGION.amazoncognito.com.
resource "aws_cognito_user_pool_domain" "this" {
  count = var.hosted_ui_domain == null ? 0 : 1

  domain       = var.hosted_ui_domain
  user_pool_id = aws_cognito_user_pool.this.id
}

# Under cmd/local (make demo runs this folder with it), var.local_run gives
# this machine's architecture, the packages built for it, and moto, which
# serves the pool's keys at MOTO/{user_pool_id}/.well-known/jwks.json while its
# tokens carry the real Cognito issuer.
locals {
  architecture       = try(var.local_run.architecture, var.architecture)
  authorizer_package = try("${var.local_run.packages}/authorizer.zip", var.authorizer_package)
  hello_package      = try("${var.local_run.packages}/hello.zip", var.hello_package)
  jwks_url           = try("${var.local_run.moto_endpoint}/{user_pool_id}/.well-known/jwks.json", var.jwks_url)
}

module "jwt_authorizer" {
  source = "../../"

  name               = var.name
  architecture       = local.architecture
  authorizer_package = { path = local.authorizer_package }
  hello_package      = { path = local.hello_package }

  issuers = {
    cognito = {
      # The pool's endpoint is its issuer without the scheme.
      issuer     = "https://${aws_cognito_user_pool.this.endpoint}"
      jwks_url   = local.jwks_url == null ? null : replace(local.jwks_url, "{user_pool_id}", aws_cognito_user_pool.this.id)
      token_use  = "access"
      client_ids = [aws_cognito_user_pool_client.this.id]
    }
  }

  authorizer_result_ttl = var.authorizer_result_ttl

  # The web page's origin may call the API (preflights, readable 401/403).
  cors = var.web_origin == null ? null : { allow_origin = var.web_origin }

  tags = var.tags
}
