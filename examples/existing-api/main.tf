# Your REST API as you already have it (two routes to your own Lambda
# function and an open /health), protected by the authorizer module: each
# protected method sets authorization = "CUSTOM" and the module's
# authorizer_id.
locals {
  # Your values, or cmd/local's when it runs this folder on your laptop
  # (var.local_run, docs/local.md): its loopback issuer, the audience its
  # tokens carry, this machine's architecture and the packages built for it.
  issuer             = try(var.local_run.issuer, var.issuer)
  audiences          = try([var.local_run.audience], var.audiences)
  architecture       = try(var.local_run.architecture, var.architecture)
  authorizer_package = try("${var.local_run.packages}/authorizer.zip", coalesce(var.authorizer_package, "${path.module}/../../dist/${local.architecture}/authorizer.zip"))
  orders_package     = try("${var.local_run.packages}/hello.zip", coalesce(var.orders_package, "${path.module}/../../dist/${local.architecture}/hello.zip"))

  # Each route: its resource, and what the authorizer requires on it.
  routes = {
    "GET /users/{userId}/profile" = {
      path        = "/users/{userId}/profile"
      resource_id = aws_api_gateway_resource.profile.id
      scopes      = []
    }
    "GET /users/{userId}/orders" = {
      path        = "/users/{userId}/orders"
      resource_id = aws_api_gateway_resource.orders.id
      scopes      = ["orders.read"]
    }
  }
}

################################################################################
# Your API
################################################################################

resource "aws_api_gateway_rest_api" "this" {
  name = var.name

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags
}

resource "aws_api_gateway_resource" "users" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "users"
}

resource "aws_api_gateway_resource" "user" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.users.id
  path_part   = "{userId}"
}

resource "aws_api_gateway_resource" "profile" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.user.id
  path_part   = "profile"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.user.id
  path_part   = "orders"
}

resource "aws_api_gateway_method" "route" {
  for_each = local.routes

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = each.value.resource_id
  http_method   = "GET"
  authorization = "CUSTOM"
  authorizer_id = module.jwt_authorizer.authorizer_id

  request_parameters = { "method.request.path.userId" = true }
}

resource "aws_api_gateway_integration" "route" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = each.value.resource_id
  http_method             = aws_api_gateway_method.route[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.orders.invoke_arn
}

# GET /health: open (no authorizer), answered by API Gateway itself (a MOCK
# integration), so a load balancer or uptime check needs no token and no
# function runs. Your function is only ever reached through the authorizer.
resource "aws_api_gateway_resource" "health" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "health"
}

# tfsec: /health is open on purpose (an uptime check needs no token) and answered by a MOCK integration: no backend, no data behind it.
#tfsec:ignore:aws-api-gateway-no-public-access
resource "aws_api_gateway_method" "health" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_resource.health.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "health" {
  rest_api_id       = aws_api_gateway_rest_api.this.id
  resource_id       = aws_api_gateway_resource.health.id
  http_method       = aws_api_gateway_method.health.http_method
  type              = "MOCK"
  request_templates = { "application/json" = jsonencode({ statusCode = 200 }) }
}

resource "aws_api_gateway_method_response" "health" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_resource.health.id
  http_method = aws_api_gateway_method.health.http_method
  status_code = "200"
}

resource "aws_api_gateway_integration_response" "health" {
  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_resource.health.id
  http_method        = aws_api_gateway_method.health.http_method
  status_code        = aws_api_gateway_method_response.health.status_code
  response_templates = { "application/json" = jsonencode({ status = "ok" }) }

  depends_on = [aws_api_gateway_integration.health]
}

# What API Gateway answers itself when the authorizer refuses: a 401 that
# names the scheme (RFC 6750 3), a 403 with a message a client can show.
resource "aws_api_gateway_gateway_response" "unauthorized" {
  rest_api_id         = aws_api_gateway_rest_api.this.id
  response_type       = "UNAUTHORIZED"
  status_code         = "401"
  response_parameters = { "gatewayresponse.header.WWW-Authenticate" = "'Bearer realm=\"${var.name}\"'" }
  response_templates  = { "application/json" = jsonencode({ message = "Unauthorized" }) }
}

resource "aws_api_gateway_gateway_response" "access_denied" {
  rest_api_id        = aws_api_gateway_rest_api.this.id
  response_type      = "ACCESS_DENIED"
  status_code        = "403"
  response_templates = { "application/json" = jsonencode({ message = "Forbidden: this token does not grant this route" }) }
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # Redeploy when a route, its integration or the authorizer changes.
  triggers = {
    redeployment = sha1(jsonencode([
      local.routes,
      { for k, m in aws_api_gateway_method.route : k => m.id },
      { for k, i in aws_api_gateway_integration.route : k => i.id },
      aws_api_gateway_integration.health.id,
      aws_api_gateway_integration_response.health.id,
      aws_api_gateway_gateway_response.unauthorized,
      aws_api_gateway_gateway_response.access_denied,
      module.jwt_authorizer.authorizer_id,
      # Everything API Gateway reads from the authorizer, and its settings.
      module.jwt_authorizer.redeployment_hash,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_api_gateway_method.route,
    aws_api_gateway_integration.route,
    aws_api_gateway_integration_response.health,
    aws_api_gateway_gateway_response.unauthorized,
    aws_api_gateway_gateway_response.access_denied,
  ]
}

# tfsec: access logs need the account's API Gateway CloudWatch role (modules/api-gateway-account, once per account and region), and X-Ray is billed per trace: both are your API's choice, not the example's.
#tfsec:ignore:aws-api-gateway-enable-access-logging
#tfsec:ignore:aws-api-gateway-enable-tracing
resource "aws_api_gateway_stage" "v1" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = "v1"

  tags = var.tags
}

################################################################################
# Your function behind both routes (here the module's example backend)
################################################################################

data "aws_iam_policy_document" "orders_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "orders" {
  name               = "${var.name}-orders-${var.region}"
  assume_role_policy = data.aws_iam_policy_document.orders_assume_role.json
  tags               = var.tags
}

# tfsec: CloudWatch Logs encrypts every log group at rest; a customer KMS key is your function's choice, not the example's.
#tfsec:ignore:aws-cloudwatch-log-group-customer-key
resource "aws_cloudwatch_log_group" "orders" {
  name              = "/aws/lambda/${var.name}-orders"
  retention_in_days = 30
  tags              = var.tags
}

data "aws_iam_policy_document" "orders" {
  statement {
    sid     = "Logs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    # tfsec: ARN:* names the log streams of this function's own log group, the narrowest resource these actions take.
    #tfsec:ignore:aws-iam-no-policy-wildcards
    resources = ["${aws_cloudwatch_log_group.orders.arn}:*"]
  }
}

resource "aws_iam_role_policy" "orders" {
  name   = "logs"
  role   = aws_iam_role.orders.id
  policy = data.aws_iam_policy_document.orders.json
}

# tfsec: active X-Ray tracing is billed per trace; your function's choice, not the example's.
#tfsec:ignore:aws-lambda-enable-tracing
resource "aws_lambda_function" "orders" {
  function_name    = "${var.name}-orders"
  role             = aws_iam_role.orders.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [local.architecture]
  filename         = local.orders_package
  source_code_hash = filebase64sha256(local.orders_package)
  timeout          = 3

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.orders, aws_iam_role_policy.orders]
}

# API Gateway may invoke your function for these routes of this stage only.
resource "aws_lambda_permission" "route" {
  for_each = local.routes

  statement_id  = "AllowApiGateway-${replace(trimprefix(each.value.path, "/"), "/[{}/]+/", "-")}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.orders.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${aws_api_gateway_stage.v1.stage_name}/GET${replace(each.value.path, "{userId}", "*")}"
}

################################################################################
# The authorizer on your API
################################################################################

module "jwt_authorizer" {
  source = "../../modules/authorizer"

  name                   = "${var.name}-authorizer"
  rest_api_id            = aws_api_gateway_rest_api.this.id
  rest_api_execution_arn = aws_api_gateway_rest_api.this.execution_arn

  architecture = local.architecture
  package      = { path = local.authorizer_package }

  issuers = {
    main = {
      issuer        = local.issuer
      audiences     = local.audiences
      user_id_claim = var.user_id_claim
    }
  }
  # The same keys as your methods: the Allow policy lists the routes whose
  # scopes the token carries, {userId} bound to the token's user id.
  routes = { for k, r in local.routes : k => { scopes = r.scopes } }

  # Alarms to your on-call topics and one dashboard (docs/operations.md); the
  # API's name and stage let them watch the stage's 5XX rate and latency.
  api       = { name = aws_api_gateway_rest_api.this.name, stage = "v1" }
  alarms    = { create = length(var.alarm_topic_arns) > 0, actions = var.alarm_topic_arns }
  dashboard = var.dashboard

  tags = var.tags
}

