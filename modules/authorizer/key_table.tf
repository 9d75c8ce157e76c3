# The key cache: a table of this module, a table the caller has, or none.
module "key_table" {
  source = "../key-cache"
  count  = var.key_table.create ? 1 : 0

  name                           = "${var.name}-keys"
  point_in_time_recovery_enabled = var.key_table.point_in_time_recovery_enabled
  server_side_encryption_enabled = var.key_table.server_side_encryption_enabled
  kms_key_arn                    = var.key_table.kms_key_arn
  deletion_protection_enabled    = var.key_table.deletion_protection_enabled
  tags                           = var.tags
}

data "aws_dynamodb_table" "existing" {
  count = var.key_table.existing_table_name != null ? 1 : 0

  name = var.key_table.existing_table_name
}

# The provider's region (no API call). Not read from the REST API's ARN: the
# API's OpenAPI body holds this function's invoke ARN, which needs the role,
# whose name holds the region.
data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name

  key_table_name = var.key_table.create ? module.key_table[0].table_name : var.key_table.existing_table_name
  key_table_arn = (var.key_table.create ? module.key_table[0].table_arn :
  var.key_table.existing_table_name != null ? data.aws_dynamodb_table.existing[0].arn : null)
  key_table_kms_key_arn = (var.key_table.create ? (var.key_table.server_side_encryption_enabled ? var.key_table.kms_key_arn : null) :
  var.key_table.existing_table_kms_key_arn)

  # Whether there is a table is known at plan time (its ARN may not be), so
  # the plan shows the role's statements.
  has_key_table = var.key_table.create || var.key_table.existing_table_name != null

  # The items the function reads and writes: one per issuer, keyed
  # "JWKS#<jwks url or issuer>" (functions/internal/keystore.PartitionKey).
  key_items = [for _, i in var.issuers : "JWKS#${coalesce(i.jwks_url, i.issuer)}"]

  # GetItem reads the shared key set; UpdateItem writes a fetched one back
  # (conditionally, never over a newer one) and takes the fleet-wide refetch
  # lease. On this table only, and on the configured issuers' items only
  # (dynamodb:LeadingKeys), so a shared table's other items stay out of reach.
  # The customer key only through DynamoDB in this region (kms:ViaService).
  policy_statements = concat(
    !local.has_key_table ? [] : [{
      sid        = "KeyCache"
      actions    = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
      resources  = [local.key_table_arn]
      conditions = [{ test = "ForAllValues:StringEquals", variable = "dynamodb:LeadingKeys", values = local.key_items }]
    }],
    local.key_table_kms_key_arn == null ? [] : [{
      sid        = "KeyCacheKMS"
      actions    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
      resources  = [local.key_table_kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = ["dynamodb.${local.region}.amazonaws.com"] }]
    }],
  )
}

# Only the authorizer's role may write the key items: a key set written once
# by anyone else must not be able to plant a key (the function also refuses
# items dated in the future). Reads and table management stay with IAM.
data "aws_iam_policy_document" "key_table" {
  count = var.key_table.create ? 1 : 0

  statement {
    sid       = "OnlyTheAuthorizerWritesKeys"
    effect    = "Deny"
    actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"]
    resources = [module.key_table[0].table_arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [module.function.role_arn]
    }
  }
}

resource "aws_dynamodb_resource_policy" "key_table" {
  count = var.key_table.create ? 1 : 0

  resource_arn = module.key_table[0].table_arn
  policy       = data.aws_iam_policy_document.key_table[0].json
}
