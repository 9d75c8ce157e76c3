module "jwt_authorizer" {
  source = "../../"

  name         = var.name
  architecture = var.architecture

  # Okta's default custom authorization server: access tokens carry
  # aud api://default and the user's Okta id in uid.
  issuers = {
    okta = {
      issuer        = "https://${var.okta_domain}/oauth2/default"
      audiences     = ["api://default"]
      user_id_claim = "uid"
    }
  }
  required_scopes = var.required_scopes

  tags = var.tags
}
