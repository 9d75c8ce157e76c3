# The resource tree, methods and integrations, all from var.routes.
#
# A route key "GET /users/{userId}/orders" is a verb and a path of up to 8
# segments; paths sharing a prefix share its resources. Terraform cannot
# for_each a resource over its own instances (a child needs its parent's id),
# so there is one resource block per depth.
locals {
  parsed = { for key, r in var.routes : key => merge(r, {
    verb     = split(" ", key)[0]
    path     = split(" ", key)[1]
    segments = compact(split("/", split(" ", key)[1]))
    params   = [for s in regexall("\\{([A-Za-z_][A-Za-z0-9_]*)\\+?\\}", key) : s[0]]
  }) }

  # Every path prefix, by depth: "/users", "/users/{userId}", …
  prefixes = distinct(flatten([for _, r in local.parsed : [
    for d in range(1, length(r.segments) + 1) : "/${join("/", slice(r.segments, 0, d))}"
  ]]))
  by_depth = { for d in range(1, 9) : d => {
    for p in local.prefixes : p => {
      parent    = d == 1 ? "" : join("/", slice(split("/", p), 0, d))
      path_part = element(split("/", p), d)
    } if length(split("/", p)) == d + 1
  } }

  resource_ids = merge(
    { "/" = aws_api_gateway_rest_api.this.root_resource_id },
    { for p, r in aws_api_gateway_resource.depth1 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth2 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth3 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth4 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth5 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth6 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth7 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth8 : p => r.id },
  )

  # The routes as the authorizer writes them: VERB/path, {proxy+} as a final /*.
  authorizer_routes = { for key, r in local.parsed :
    "${r.verb} ${replace(r.path, "/{proxy+}", "/*")}" => { scopes = r.scopes, issuers = r.issuers, groups = r.groups }
  }
  # The execute-api resource a route invokes: every parameter is "*".
  source_paths = { for key, r in local.parsed :
    key => join("/", [for s in r.segments : can(regex("^\\{", s)) ? "*" : s])
  }
}

resource "aws_api_gateway_resource" "depth1" {
  for_each    = local.by_depth[1]
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth2" {
  for_each    = local.by_depth[2]
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth1[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth3" {
  for_each    = local.by_depth[3]
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth2[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth4" {
  for_each    = local.by_depth[4]
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth3[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth5" {
  for_each    = local.by_depth[5]
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth4[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth6" {
  for_each    = local.by_depth[6]
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth5[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth7" {
  for_each    = local.by_depth[7]
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth6[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth8" {
  for_each    = local.by_depth[8]
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth7[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_method" "this" {
  for_each = local.parsed

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.value.path]
  http_method   = each.value.verb
  authorization = "CUSTOM"
  authorizer_id = var.authorizer_id

  request_parameters = { for p in each.value.params : "method.request.path.${p}" => true }
}

resource "aws_api_gateway_integration" "this" {
  for_each = local.parsed

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = local.resource_ids[each.value.path]
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = each.value.function_name != null ? "AWS_PROXY" : "HTTP_PROXY"
  integration_http_method = each.value.function_name != null ? "POST" : each.value.verb
  uri                     = each.value.function_name != null ? each.value.invoke_arn : each.value.http_url
  timeout_milliseconds    = each.value.timeout_milliseconds

  # HTTP_PROXY: the method's path parameters fill the same {names} in http_url,
  # and the backend receives the verified identity from the authorizer's
  # context. API Gateway overwrites a mapped header, so a client-sent
  # X-User-Id never reaches the backend.
  request_parameters = each.value.function_name != null ? null : merge(
    { for p in each.value.params : "integration.request.path.${p}" => "method.request.path.${p}" },
    {
      "integration.request.header.X-User-Id" = "context.authorizer.userId"
      "integration.request.header.X-Issuer"  = "context.authorizer.issuerName"
      "integration.request.header.X-Scope"   = "context.authorizer.scope"
    },
    { for k in var.forwarded_context_keys : "integration.request.header.X-Claim-${replace(k, "_", "-")}" => "context.authorizer.${k}" },
  )
}
