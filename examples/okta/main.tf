locals {
  issuer = coalesce(var.issuer, "https://${var.okta_domain}/oauth2/default")
}

module "jwt_authorizer" {
  source = "../../"

  name               = var.name
  architecture       = var.architecture
  authorizer_package = { path = var.authorizer_package }
  hello_package      = { path = var.hello_package }

  # Okta's default custom authorization server: access tokens carry
  # aud api://default and the user's Okta id in uid. The keys are discovered
  # from ISSUER/.well-known/openid-configuration.
  issuers = {
    okta = {
      issuer        = local.issuer
      audiences     = var.audiences
      user_id_claim = "uid"
    }
  }
  required_scopes = var.required_scopes

  tags = var.tags
}
