# The routes as OpenAPI operations of the API's body (main.tf).
#
# A route key "GET /users/{userId}/orders" is a verb and a path of up to 8
# segments. Each becomes one operation: its path parameters, the authorizer
# as its security requirement, and its integration (AWS_PROXY to a function,
# HTTP_PROXY to a URL). API Gateway builds the resource tree from the paths.
locals {
  parsed = { for key, r in var.routes : key => merge(r, {
    verb     = split(" ", key)[0]
    path     = split(" ", key)[1]
    segments = compact(split("/", split(" ", key)[1]))
    params   = [for s in regexall("\\{([A-Za-z_][A-Za-z0-9_]*)\\+?\\}", key) : s[0]]
  }) }

  # The routes as the authorizer writes them: VERB/path, {proxy+} as a final /*.
  authorizer_routes = { for key, r in local.parsed :
    "${r.verb} ${replace(r.path, "/{proxy+}", "/*")}" => { scopes = r.scopes, issuers = r.issuers, groups = r.groups }
  }
  # The execute-api resource a route invokes: every parameter is "*".
  source_paths = { for key, r in local.parsed :
    key => join("/", [for s in r.segments : can(regex("^\\{", s)) ? "*" : s])
  }

  operations = { for key, r in local.parsed : key => {
    parameters = [for p in r.params : { name = p, in = "path", required = true, schema = { type = "string" } }]
    security   = [{ (var.authorizer.name) = [] }]
    "x-amazon-apigateway-integration" = merge(
      {
        type                = r.function_name != null ? "aws_proxy" : "http_proxy"
        httpMethod          = r.function_name != null ? "POST" : r.verb
        uri                 = r.function_name != null ? r.invoke_arn : r.http_url
        passthroughBehavior = "when_no_match"
      },
      r.timeout_milliseconds == null ? {} : { timeoutInMillis = r.timeout_milliseconds },
      # HTTP_PROXY: the method's path parameters fill the same {names} in
      # http_url, and the backend receives the verified identity from the
      # authorizer's context. API Gateway overwrites a mapped header, so a
      # client-sent X-User-Id never reaches the backend.
      r.function_name != null ? {} : { requestParameters = merge(
        { for p in r.params : "integration.request.path.${p}" => "method.request.path.${p}" },
        {
          "integration.request.header.X-User-Id" = "context.authorizer.userId"
          "integration.request.header.X-Issuer"  = "context.authorizer.issuerName"
          "integration.request.header.X-Scope"   = "context.authorizer.scope"
        },
        { for k in var.forwarded_context_keys : "integration.request.header.X-Claim-${replace(k, "_", "-")}" => "context.authorizer.${k}" },
      ) },
    )
  } }

  # The OpenAPI paths: each route path with its operations (lower-case verbs)
  # and, with CORS, its preflight (cors.tf).
  paths = { for path in distinct([for _, r in local.parsed : r.path]) : path => merge(
    { for key, r in local.parsed : lower(r.verb) => local.operations[key] if r.path == path },
    { for p, op in local.preflights : "options" => op if p == path },
  ) }
}
