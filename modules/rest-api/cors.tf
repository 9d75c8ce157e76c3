# CORS preflight: one OPTIONS method per route path, without authorizer (a
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
}

resource "aws_api_gateway_method" "options" {
  for_each = local.cors_paths

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.key]
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "options" {
  for_each = local.cors_paths

  rest_api_id       = aws_api_gateway_rest_api.this.id
  resource_id       = local.resource_ids[each.key]
  http_method       = aws_api_gateway_method.options[each.key].http_method
  type              = "MOCK"
  request_templates = { "application/json" = jsonencode({ statusCode = 204 }) }
}

resource "aws_api_gateway_method_response" "options" {
  for_each = local.cors_paths

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = local.resource_ids[each.key]
  http_method = aws_api_gateway_method.options[each.key].http_method
  status_code = "204"

  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin"  = true
    "method.response.header.Access-Control-Allow-Methods" = true
    "method.response.header.Access-Control-Allow-Headers" = true
    "method.response.header.Access-Control-Max-Age"       = true
    "method.response.header.Vary"                         = true
  }
}

resource "aws_api_gateway_integration_response" "options" {
  for_each = local.cors_paths

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = local.resource_ids[each.key]
  http_method = aws_api_gateway_method.options[each.key].http_method
  status_code = aws_api_gateway_method_response.options[each.key].status_code

  # Static values are quoted; no credentials header: the token is not a cookie.
  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin"  = "'${var.cors.allow_origin}'"
    "method.response.header.Access-Control-Allow-Methods" = "'${join(",", each.value.methods)}'"
    "method.response.header.Access-Control-Allow-Headers" = "'${join(",", var.cors.allow_headers)}'"
    "method.response.header.Access-Control-Max-Age"       = "'${var.cors.max_age_seconds}'"
    "method.response.header.Vary"                         = "'Origin'"
  }

  depends_on = [aws_api_gateway_integration.options]
}
