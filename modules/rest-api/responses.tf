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
}

resource "aws_api_gateway_gateway_response" "this" {
  for_each = local.gateway_responses

  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.key
  status_code   = each.value.status_code
  # An empty map would be stored as none: null keeps the second plan clean.
  response_parameters = length(merge(each.value.headers, local.cors_response_parameters)) == 0 ? null : merge(each.value.headers, local.cors_response_parameters)
  # null keeps API Gateway's template: {"message":$context.error.messageString}.
  response_templates = each.value.message == null ? null : {
    "application/json" = jsonencode({ message = each.value.message })
  }
}
