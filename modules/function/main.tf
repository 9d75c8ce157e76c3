locals {
  create_alias = var.provisioned_concurrent_executions > 0
  # A local zip is hashed so that a rebuilt package redeploys; an S3 object is
  # versioned by s3_object_version instead.
  local_package = var.s3_package == null
  package_found = local.local_package && var.package_path != null ? fileexists(var.package_path) : false
  role_name     = coalesce(var.role_name, var.name)
  role_arn      = var.create_role ? aws_iam_role.this[0].arn : var.role_arn
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name     = var.name
  description       = var.description
  role              = local.role_arn
  runtime           = var.runtime
  handler           = var.handler
  architectures     = [var.architecture]
  filename          = local.local_package ? var.package_path : null
  source_code_hash  = local.package_found ? filebase64sha256(var.package_path) : null
  s3_bucket         = local.local_package ? null : var.s3_package.bucket
  s3_key            = local.local_package ? null : var.s3_package.key
  s3_object_version = local.local_package ? null : var.s3_package.object_version
  memory_size       = var.memory_size
  timeout           = var.timeout
  publish           = local.create_alias

  reserved_concurrent_executions = var.reserved_concurrent_executions == null ? -1 : var.reserved_concurrent_executions

  dynamic "environment" {
    for_each = length(var.environment) > 0 ? [var.environment] : []
    content {
      variables = environment.value
    }
  }

  tracing_config {
    # tfsec: active X-Ray tracing is opt-in (var.tracing_enabled): it is billed per trace and adds xray:Put* to the role; PassThrough still forwards callers' trace headers.
    #tfsec:ignore:aws-lambda-enable-tracing
    mode = var.tracing_enabled ? "Active" : "PassThrough"
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.create_role || var.role_arn != null
      error_message = "Set role_arn when create_role is false."
    }
    precondition {
      condition     = !local.local_package || local.package_found
      error_message = "The package ${coalesce(var.package_path, "(package_path unset)")} does not exist. ${var.package_hint}"
    }
    precondition {
      condition     = var.timeout >= var.min_timeout
      error_message = "The timeout (${var.timeout} s) must be at least ${var.min_timeout} s: ${var.min_timeout_reason}"
    }
  }

  # The log group (default name /aws/lambda/<name>) and the role's policy must
  # exist before the first invocation logs, or Lambda would create an
  # unmanaged group without retention.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

resource "aws_lambda_alias" "this" {
  count = local.create_alias ? 1 : 0

  name             = var.alias_name
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

resource "aws_lambda_provisioned_concurrency_config" "this" {
  count = local.create_alias ? 1 : 0

  function_name                     = aws_lambda_function.this.function_name
  qualifier                         = aws_lambda_alias.this[0].name
  provisioned_concurrent_executions = var.provisioned_concurrent_executions
}
