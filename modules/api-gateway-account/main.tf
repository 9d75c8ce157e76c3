# ACCOUNT-GLOBAL: API Gateway writes every stage's logs in a region through one
# role, set per account and region. Apply this module once per account and
# region (not in each API's stack), then pass cloudwatch_role_arn to the APIs'
# access_logs. On destroy, provider 5.x leaves the setting in place and 6.x
# resets it: either way it concerns every API in the region.
data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

data "aws_region" "current" {}

resource "aws_iam_role" "this" {
  # IAM is global: the region keeps two regions' roles apart.
  name                 = coalesce(var.role_name, "apigateway-cloudwatch-${data.aws_region.current.id}")
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.role_permissions_boundary
  tags                 = var.tags
}

data "aws_partition" "current" {}

resource "aws_iam_role_policy_attachment" "this" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.this.arn

  depends_on = [aws_iam_role_policy_attachment.this]
}
