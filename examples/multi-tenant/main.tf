# A SaaS API on one Cognito user pool: each user belongs to one tenant
# (custom:tenant_id, in the access token through a pre-token-generation
# trigger or the ID token) and may be in the admins group (cognito:groups).
resource "aws_cognito_user_pool" "this" {
  name = var.name

  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]

  schema {
    name                     = "tenant_id"
    attribute_data_type      = "String"
    mutable                  = false
    developer_only_attribute = false
    string_attribute_constraints {
      min_length = 1
      max_length = 64
    }
  }

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

  generate_secret               = false
  explicit_auth_flows           = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"
}

resource "aws_cognito_user_group" "admins" {
  name         = "admins"
  user_pool_id = aws_cognito_user_pool.this.id
  description  = "May delete their tenant's orders."
}

module "jwt_authorizer" {
  source = "../../"

  name               = var.name
  architecture       = var.architecture
  authorizer_package = { path = var.authorizer_package }
  create_hello       = false

  issuers = {
    cognito = {
      issuer       = "https://${aws_cognito_user_pool.this.endpoint}"
      jwks_url     = var.jwks_url == null ? null : replace(var.jwks_url, "{user_pool_id}", aws_cognito_user_pool.this.id)
      token_use    = "access"
      client_ids   = [aws_cognito_user_pool_client.this.id]
      groups_claim = ["cognito:groups"]
      # {tenantId} is the token's own tenant, as {userId} is its own user.
      path_claims = { tenantId = "custom:tenant_id" }
      # The orders backend receives X-Claim-Email and X-Claim-Tenant.
      context_claims = { email = "email", tenant = "custom:tenant_id" }
    }
  }

  routes = {
    # Every member of the tenant.
    "GET /tenants/{tenantId}/orders" = { http_url = "${var.orders_url}/tenants/{tenantId}/orders" }
    # The tenant's admins only.
    "DELETE /tenants/{tenantId}/orders/{orderId}" = {
      http_url = "${var.orders_url}/tenants/{tenantId}/orders/{orderId}"
      groups   = [aws_cognito_user_group.admins.name]
    }
  }

  authorizer_result_ttl = var.authorizer_result_ttl

  tags = var.tags
}
