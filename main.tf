locals {
  authorizer_name = "${var.name}-authorizer"
  hello_name      = "${var.name}-hello"

  authorizer_package = coalesce(var.authorizer_package, "${path.module}/dist/${var.architecture}/authorizer.zip")
  hello_package      = coalesce(var.hello_package, "${path.module}/dist/${var.architecture}/hello.zip")

  # functions/internal/config reads these; lists are comma-joined and unset
  # settings are passed as "" so the function applies its own default.
  authorizer_environment = {
    ISSUER                            = var.issuer
    JWKS_URL                          = var.jwks_url == null ? "" : var.jwks_url
    AUDIENCES                         = join(",", var.audiences)
    CLIENT_IDS                        = join(",", var.client_ids)
    TOKEN_USE                         = var.token_use
    REQUIRED_SCOPES                   = join(",", var.required_scopes)
    USER_ID_CLAIM                     = var.user_id_claim
    ALLOWED_ROUTES                    = join(",", var.allowed_routes)
    ALLOWED_ALGORITHMS                = join(",", var.allowed_algorithms)
    KEYS_TABLE_NAME                   = module.key_cache.table_name
    KEYS_CACHE_TTL_SECONDS            = tostring(var.key_cache_ttl_seconds)
    JWKS_REFETCH_MIN_INTERVAL_SECONDS = tostring(var.jwks_refetch_min_interval_seconds)
    CLOCK_SKEW_SECONDS                = tostring(var.clock_skew_seconds)
    JWKS_FETCH_TIMEOUT_MS             = tostring(var.jwks_fetch_timeout_ms)
  }
}

module "key_cache" {
  source = "./modules/key-cache"

  name                           = "${var.name}-keys"
  point_in_time_recovery_enabled = var.key_table.point_in_time_recovery_enabled
  server_side_encryption_enabled = var.key_table.server_side_encryption_enabled
  kms_key_arn                    = var.key_table.kms_key_arn
  deletion_protection_enabled    = var.key_table.deletion_protection_enabled
  tags                           = var.tags
}

module "authorizer" {
  source = "./modules/function"

  name         = local.authorizer_name
  description  = "JWT TOKEN authorizer of ${var.name}"
  package_path = local.authorizer_package
  architecture = var.architecture
  environment  = local.authorizer_environment

  memory_size                       = var.authorizer_function.memory_size
  timeout                           = var.authorizer_function.timeout
  reserved_concurrent_executions    = var.authorizer_function.reserved_concurrent_executions
  provisioned_concurrent_executions = var.authorizer_function.provisioned_concurrent_executions

  log_retention_in_days = var.log_retention_in_days
  tracing_enabled       = var.tracing_enabled

  create_role               = var.create_roles
  role_arn                  = var.authorizer_role_arn
  role_permissions_boundary = var.role_permissions_boundary
  policy_statements = [{
    sid       = "KeyCache"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
    resources = [module.key_cache.table_arn]
  }]

  tags = var.tags
}

module "hello" {
  source = "./modules/function"

  name         = local.hello_name
  description  = "Hello endpoint of ${var.name}"
  package_path = local.hello_package
  architecture = var.architecture

  memory_size                       = var.hello_function.memory_size
  timeout                           = var.hello_function.timeout
  reserved_concurrent_executions    = var.hello_function.reserved_concurrent_executions
  provisioned_concurrent_executions = var.hello_function.provisioned_concurrent_executions

  log_retention_in_days = var.log_retention_in_days
  tracing_enabled       = var.tracing_enabled

  create_role               = var.create_roles
  role_arn                  = var.hello_role_arn
  role_permissions_boundary = var.role_permissions_boundary

  tags = var.tags
}

module "rest_api" {
  source = "./modules/rest-api"

  name = var.name

  authorizer_invoke_arn    = module.authorizer.invoke_arn
  authorizer_function_name = module.authorizer.function_name
  authorizer_qualifier     = module.authorizer.qualifier
  hello_invoke_arn         = module.hello.invoke_arn
  hello_function_name      = module.hello.function_name
  hello_qualifier          = module.hello.qualifier

  identity_validation_expression   = var.identity_validation_expression
  authorizer_result_ttl_in_seconds = var.authorizer_result_ttl
  stage_name                       = var.stage_name
  xray_tracing_enabled             = var.tracing_enabled
  throttling                       = var.throttling
  access_logs                      = var.access_logs
  manage_account_cloudwatch_role   = var.manage_api_gateway_account

  tags = var.tags
}
