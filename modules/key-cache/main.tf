locals {
  # The authorizer's key store (functions/internal/keystore) reads and writes
  # these attribute names; they are part of the module's contract, not settings.
  hash_key      = "PK"
  ttl_attribute = "expires_at"
}

resource "aws_dynamodb_table" "this" {
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.hash_key
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = local.hash_key
    type = "S"
  }

  ttl {
    attribute_name = local.ttl_attribute
    enabled        = true
  }

  # tfsec: point-in-time recovery is opt-in (var.point_in_time_recovery_enabled): the table is a cache that the authorizer rebuilds from the issuer, so a backup of it restores nothing worth paying for.
  #tfsec:ignore:aws-dynamodb-enable-recovery
  point_in_time_recovery {
    enabled = var.point_in_time_recovery_enabled
  }

  server_side_encryption {
    enabled     = var.server_side_encryption_enabled
    kms_key_arn = var.server_side_encryption_enabled ? var.kms_key_arn : null
  }

  tags = var.tags
}
