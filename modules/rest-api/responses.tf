# Gateway responses: what API Gateway answers itself (no token, denied, no
# such route, its own errors) in a form a client can act on, and readable by
# a browser on the CORS origin.
locals {
  realm = coalesce(var.gateway_responses.realm, var.name)

  cors_response_parameters = { for h, v in local.cors_response_headers : "gatewayresponse.header.${h}" => "'${v}'" }

  gateway_responses = !var.gateway_responses.create ? {} : merge(
    {
      # RFC 6750 3: a 401 names the scheme and realm; 3.1: no error code
      # for a request without a token, and API Gateway cannot tell it from
      # an invalid one.
      UNAUTHORIZED = {
        status_code = "401"
        headers     = { "gatewayresponse.header.WWW-Authenticate" = "'Bearer realm=\"${local.realm}\"'" }
        message     = var.gateway_responses.unauthorized_message
      }
      ACCESS_DENIED = {
        status_code = "403"
        headers     = {}
        message     = var.gateway_responses.access_denied_message
      }
    },
    # With CORS, API Gateway's own wording, readable by the browser.
    var.cors == null ? {} : {
      MISSING_AUTHENTICATION_TOKEN = { status_code = null, headers = {}, message = null }
      DEFAULT_4XX                  = { status_code = null, headers = {}, message = null }
      DEFAULT_5XX                  = { status_code = null, headers = {}, message = null }
    },
  )

  # As the body's x-amazon-apigateway-gateway-responses. No statusCode keeps
  # API Gateway's; no template keeps {"message":$context.error.messageString}.
  gateway_response_definitions = { for type, g in local.gateway_responses : type => merge(
    g.status_code == null ? {} : { statusCode = g.status_code },
    length(merge(g.headers, local.cors_response_parameters)) == 0 ? {} : { responseParameters = merge(g.headers, local.cors_response_parameters) },
    g.message == null ? {} : { responseTemplates = { "application/json" = jsonencode({ message = g.message }) } },
  ) }
}
