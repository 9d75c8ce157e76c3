locals {
  # The function's default fetch timeout (functions/internal/config), used only
  # for the timeout precondition below.
  fetch_timeout_ms = coalesce(var.jwks_fetch_timeout_ms, 2000)
  # A cold start's first verdict comes at most 2 x the fetch timeout + 1 s after
  # it begins, whatever DynamoDB and the issuer do (functions/internal/keys).
  min_timeout = ceil((2 * local.fetch_timeout_ms + 1000) / 1000)

  package_path = var.package.s3_bucket != null ? null : coalesce(var.package.path, "${path.module}/../../dist/${var.architecture}/authorizer.zip")

  # The Terraform <-> Go contract (functions/internal/config). Settings left
  # null are not set, so the function applies its own default.
  issuers = [for name, i in var.issuers : { for k, v in {
    name           = name
    issuer         = i.issuer
    jwks_url       = i.jwks_url
    audiences      = i.audiences
    client_ids     = i.client_ids
    token_use      = i.token_use
    user_id_claim  = i.user_id_claim
    groups_claim   = i.groups_claim
    path_claims    = try(length(i.path_claims) > 0, false) ? i.path_claims : null
    context_claims = try(length(i.context_claims) > 0, false) ? i.context_claims : null
  } : k => v if v != null }]
  routes = var.routes == null ? null : [for key, r in var.routes : merge({
    route   = replace(key, " ", "")
    scopes  = r.scopes
    issuers = r.issuers
  }, length(r.groups) > 0 ? { groups = r.groups } : {})]
  environment = { for k, v in {
    ISSUERS                           = jsonencode(local.issuers)
    ROUTES                            = local.routes == null ? null : jsonencode(local.routes)
    REQUIRED_SCOPES                   = length(var.required_scopes) == 0 ? null : join(",", var.required_scopes)
    ALLOWED_ALGORITHMS                = var.allowed_algorithms == null ? null : join(",", var.allowed_algorithms)
    KEYS_TABLE_NAME                   = local.key_table_name
    KEYS_CACHE_TTL_SECONDS            = var.key_cache_ttl_seconds == null ? null : tostring(var.key_cache_ttl_seconds)
    KEYS_MAX_STALE_SECONDS            = var.keys_max_stale_seconds == null ? null : tostring(var.keys_max_stale_seconds)
    JWKS_REFETCH_MIN_INTERVAL_SECONDS = var.jwks_refetch_min_interval_seconds == null ? null : tostring(var.jwks_refetch_min_interval_seconds)
    CLOCK_SKEW_SECONDS                = var.clock_skew_seconds == null ? null : tostring(var.clock_skew_seconds)
    JWKS_FETCH_TIMEOUT_MS             = var.jwks_fetch_timeout_ms == null ? null : tostring(var.jwks_fetch_timeout_ms)
    LOG_LEVEL                         = var.log_level
    METRICS_NAMESPACE                 = local.metrics_namespace
  } : k => v if v != null }
  # AWS caps a function's environment at 4 KB, keys and values together, in
  # bytes: length() counts characters, so count the UTF-8 bytes through
  # base64 (4 characters per 3 bytes, padding dropped).
  environment_bytes = sum(concat([0], [for k, v in local.environment : floor(length(replace(base64encode("${k}${v}"), "=", "")) * 3 / 4)]))

  route_issuers = local.routes == null ? [] : distinct(flatten([for r in local.routes : r.issuers]))

  # Path parameters bound to a claim (path_claims), and each issuer's.
  bound_by = { for name, i in var.issuers : name => keys(coalesce(i.path_claims, {})) }
  bound    = sort(distinct(flatten(values(local.bound_by))))
  # Routes holding a bound parameter that an issuer they accept does not bind.
  unbound_routes = var.routes == null ? [] : flatten([for key, r in var.routes : [
    for name in(length(r.issuers) > 0 ? r.issuers : keys(var.issuers)) : [
      for p in local.bound : "${key}: issuer ${name} binds no claim to {${p}}"
      if strcontains(key, "/{${p}}") && !contains(try(local.bound_by[name], []), p)
    ]
  ]])
}

# The rules of functions/internal/config on the routes (null: the function's
# default route), so that a set the cold start would refuse fails the plan.
module "route_rules" {
  source = "../route-rules"

  routes  = coalesce(var.routes, { "GET /hello/{userId}" = {} })
  issuers = keys(var.issuers)
  bound   = local.bound
}

module "function" {
  source = "../function"

  name         = var.name
  description  = "JWT TOKEN authorizer ${var.name}"
  package_path = local.package_path
  s3_package = var.package.s3_bucket == null ? null : {
    bucket         = var.package.s3_bucket
    key            = var.package.s3_key
    object_version = var.package.s3_object_version
  }
  package_hint = "Build it with `make package ARCH=${var.architecture}` in a checkout of the module, or from any folder: GOTOOLCHAIN=auto GOFLAGS=-mod=mod GOPRIVATE=github.com/jwtauthz go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/package@<version> -arch ${var.architecture} -out dist, <version> being the ref of your module source (e.g. the commit you pinned; GOTOOLCHAIN=auto builds with go.mod's toolchain, as the release assets are), then set package.path (dist/${var.architecture}/authorizer.zip); or download a release's authorizer-${var.architecture}.zip; or publish it to S3 (package.s3_bucket/s3_key)."
  architecture = var.architecture
  environment  = local.environment

  memory_size                       = var.function.memory_size
  timeout                           = var.function.timeout
  min_timeout                       = local.min_timeout
  min_timeout_reason                = "a cold start may take 2 x jwks_fetch_timeout_ms (${local.fetch_timeout_ms} ms) + 1 s before its first verdict."
  reserved_concurrent_executions    = var.function.reserved_concurrent_executions
  provisioned_concurrent_executions = var.function.provisioned_concurrent_executions

  log_retention_in_days = var.log_retention_in_days
  tracing_enabled       = var.tracing_enabled

  create_role               = var.create_role
  role_arn                  = var.role_arn
  role_name                 = "${coalesce(var.role_name_prefix, "${var.name}-")}${local.region}"
  role_permissions_boundary = var.role_permissions_boundary
  policy_statements         = local.policy_statements

  tags = var.tags
}

# On an API whose methods the caller manages. modules/rest-api declares the
# authorizer in its OpenAPI body instead (api_gateway_authorizer).
resource "aws_api_gateway_authorizer" "this" {
  count = var.create_api_gateway_authorizer ? 1 : 0

  name                             = var.name
  rest_api_id                      = var.rest_api_id
  type                             = "TOKEN"
  authorizer_uri                   = module.function.invoke_arn
  identity_source                  = "method.request.header.Authorization"
  identity_validation_expression   = var.identity_validation_expression == "" ? null : var.identity_validation_expression
  authorizer_result_ttl_in_seconds = var.result_ttl_in_seconds

  lifecycle {
    precondition {
      condition     = var.rest_api_id != null
      error_message = "create_api_gateway_authorizer needs rest_api_id: the REST API to create the authorizer on."
    }
  }
}

# API Gateway may invoke the function only as this authorizer of this API (as
# any authorizer of it when the API's body defines the authorizer: its id is
# API Gateway's, unknown to Terraform).
resource "aws_lambda_permission" "this" {
  statement_id  = "AllowApiGatewayAuthorizer"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  qualifier     = module.function.qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${var.rest_api_execution_arn}/authorizers/${try(aws_api_gateway_authorizer.this[0].id, "*")}"

  # Plan-time checks of what the function would refuse at cold start.
  lifecycle {
    precondition {
      condition     = local.environment_bytes <= 4096
      error_message = "The authorizer's environment is ${local.environment_bytes} bytes; AWS allows 4 KB. Use fewer issuers or routes, or shorter names."
    }
    precondition {
      condition     = length(setsubtract(local.route_issuers, keys(var.issuers))) == 0
      error_message = "Routes name issuers that are not in var.issuers: ${join(", ", setsubtract(local.route_issuers, keys(var.issuers)))}."
    }
    precondition {
      condition     = length(local.unbound_routes) == 0
      error_message = "Routes hold a path parameter that an issuer they accept does not bind (path_claims): ${join("; ", local.unbound_routes)}."
    }
    precondition {
      condition     = length(module.route_rules.errors) == 0
      error_message = "The routes are refused (docs/security.md, \"Routes\"; docs/upgrading.md says how to rewrite them): ${join("; ", module.route_rules.errors)}."
    }
  }
}

