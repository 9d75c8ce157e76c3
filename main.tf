# The whole stack: a REST API whose routes (by default GET /hello/{userId} to
# the hello function) are protected by the JWT TOKEN authorizer.
# The provider's region (no API call), for role names that must differ per
# region. Not read from the REST API: its body holds the functions.
data "aws_region" "current" {}

locals {
  hello_package = var.hello_package.s3_bucket != null ? null : coalesce(var.hello_package.path, "${path.module}/dist/${var.architecture}/hello.zip")
  # The issuers hello serves (its ISSUER_NAMES; empty: any): by default those
  # of its own route, which the authorizer already holds it to.
  hello_issuers = sort(distinct(var.hello_issuers == null ? var.hello_route.issuers : var.hello_issuers))

  routes = merge(
    { for h in module.hello : (var.hello_route.key) => {
      function_name = h.function_name
      invoke_arn    = h.invoke_arn
      qualifier     = h.qualifier
      scopes        = var.hello_route.scopes
      issuers       = var.hello_route.issuers
    } },
    var.routes,
  )
}

module "authorizer" {
  source = "./modules/authorizer"

  name             = "${var.name}-authorizer"
  role_name_prefix = var.role_name_prefix == null ? null : "${var.role_name_prefix}authorizer-"

  # The REST API's OpenAPI body declares the authorizer.
  create_api_gateway_authorizer  = false
  rest_api_execution_arn         = module.rest_api.rest_api_execution_arn
  result_ttl_in_seconds          = var.authorizer_result_ttl
  identity_validation_expression = var.identity_validation_expression

  issuers                           = var.issuers
  routes                            = module.rest_api.authorizer_routes
  required_scopes                   = var.required_scopes
  allowed_algorithms                = var.allowed_algorithms
  key_cache_ttl_seconds             = var.key_cache_ttl_seconds
  keys_max_stale_seconds            = var.keys_max_stale_seconds
  jwks_refetch_min_interval_seconds = var.jwks_refetch_min_interval_seconds
  clock_skew_seconds                = var.clock_skew_seconds
  jwks_fetch_timeout_ms             = var.jwks_fetch_timeout_ms
  log_level                         = var.log_level
  key_table                         = var.key_table

  architecture          = var.architecture
  package               = var.authorizer_package
  function              = var.authorizer_function
  log_retention_in_days = var.log_retention_in_days
  tracing_enabled       = var.tracing_enabled

  create_role               = var.create_roles
  role_arn                  = var.authorizer_role_arn
  role_permissions_boundary = var.role_permissions_boundary

  metrics_namespace = var.metrics_namespace
  # The API's name and stage are this module's inputs: known at plan, and no
  # cycle through the stage, which depends on the authorizer.
  api       = { name = var.name, stage = var.stage_name }
  alarms    = var.alarms
  dashboard = var.dashboard

  tags = var.tags
}

# The example backend (the demo needs it); create_hello = false leaves only
# your routes, with no hello package to build.
module "hello" {
  source = "./modules/function"
  count  = var.create_hello ? 1 : 0

  name         = "${var.name}-hello"
  description  = "Hello endpoint of ${var.name}"
  package_path = local.hello_package
  s3_package = var.hello_package.s3_bucket == null ? null : {
    bucket         = var.hello_package.s3_bucket
    key            = var.hello_package.s3_key
    object_version = var.hello_package.s3_object_version
  }
  package_hint = "Build it with `make package ARCH=${var.architecture}` in a checkout of the module, or from any folder: GOTOOLCHAIN=auto GOFLAGS=-mod=mod GOPRIVATE=github.com/jwtauthz go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/package@<version> -arch ${var.architecture} -out dist, <version> being the ref of your module source (e.g. the commit you pinned; GOTOOLCHAIN=auto builds with go.mod's toolchain, as the release assets are), then set hello_package.path (dist/${var.architecture}/hello.zip); or download a release's hello-${var.architecture}.zip; or publish it to S3 (hello_package.s3_bucket/s3_key)."
  architecture = var.architecture
  # API Gateway adds no headers to an AWS_PROXY answer: hello sends CORS's.
  # ISSUER_NAMES: hello checks the token's issuer as well as its user id.
  environment = merge(
    var.cors == null ? {} : { CORS_ALLOW_ORIGIN = var.cors.allow_origin },
    length(local.hello_issuers) == 0 ? {} : { ISSUER_NAMES = join(",", local.hello_issuers) },
  )

  memory_size                       = var.hello_function.memory_size
  timeout                           = var.hello_function.timeout
  reserved_concurrent_executions    = var.hello_function.reserved_concurrent_executions
  provisioned_concurrent_executions = var.hello_function.provisioned_concurrent_executions

  log_retention_in_days = var.log_retention_in_days
  tracing_enabled       = var.tracing_enabled

  create_role               = var.create_roles
  role_arn                  = var.hello_role_arn
  role_name                 = "${coalesce(var.role_name_prefix, "${var.name}-")}hello-${data.aws_region.current.name}"
  role_permissions_boundary = var.role_permissions_boundary

  tags = var.tags
}

module "rest_api" {
  source = "./modules/rest-api"

  name       = var.name
  routes     = local.routes
  authorizer = module.authorizer.api_gateway_authorizer
  # The issuers' forwarded claims reach HTTP backends as X-Claim-<key>.
  forwarded_context_keys = sort(distinct(flatten([for _, i in var.issuers : keys(coalesce(i.context_claims, {}))])))
  # A changed authorizer (its function, TTL, identity source, validation
  # expression, issuers, routes, settings) redeploys.
  redeployment_triggers = { authorizer = module.authorizer.redeployment_hash }

  stage_name           = var.stage_name
  xray_tracing_enabled = var.tracing_enabled
  throttling           = var.throttling
  access_logs          = var.access_logs
  cors                 = var.cors
  gateway_responses    = var.gateway_responses

  tags = var.tags
}

# Checks between inputs that a variable's validation cannot make before
# Terraform 1.9. Here, not on an output: a caller's routes may be built from
# this module's outputs (hello_function_name), and an output reading
# var.routes would close a cycle.
resource "terraform_data" "input_checks" {
  lifecycle {
    precondition {
      condition     = !var.create_hello || !contains(keys(var.routes), var.hello_route.key)
      error_message = "routes holds \"${var.hello_route.key}\", hello's own route (hello_route.key): it would silently replace hello's. Give hello_route another key, or set create_hello = false."
    }
  }
}
