# CORS preflight: one OPTIONS operation per route path, without authorizer (a
# browser sends no Authorization on a preflight), answered by a MOCK
# integration with static headers.
locals {
  cors_paths = var.cors == null ? {} : {
    for path in distinct([for _, r in local.parsed : r.path]) : path => {
      methods = coalesce(var.cors.allow_methods, concat(sort(distinct([for _, r in local.parsed : r.verb if r.path == path])), ["OPTIONS"]))
    }
  }

  # The headers every answer to the allowed origin carries (gateway responses
  # here; caller backends send cors_response_headers themselves).
  cors_response_headers = var.cors == null ? {} : {
    "Access-Control-Allow-Origin"   = var.cors.allow_origin
    "Access-Control-Expose-Headers" = "WWW-Authenticate"
    "Vary"                          = "Origin"
  }

  # Static values are quoted; no credentials header: the token is not a cookie.
  preflights = { for path, c in local.cors_paths : path => {
    responses = { "204" = {
      description = "CORS preflight"
      headers     = { for h in ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Vary"] : h => { schema = { type = "string" } } }
    } }
    "x-amazon-apigateway-integration" = {
      type                = "mock"
      passthroughBehavior = "when_no_match"
      requestTemplates    = { "application/json" = jsonencode({ statusCode = 204 }) }
      responses = { default = {
        statusCode = "204"
        responseParameters = {
          "method.response.header.Access-Control-Allow-Origin"  = "'${var.cors.allow_origin}'"
          "method.response.header.Access-Control-Allow-Methods" = "'${join(",", c.methods)}'"
          "method.response.header.Access-Control-Allow-Headers" = "'${join(",", var.cors.allow_headers)}'"
          "method.response.header.Access-Control-Max-Age"       = "'${var.cors.max_age_seconds}'"
          "method.response.header.Vary"                         = "'Origin'"
        }
      } }
    }
  } }
}
