# CloudWatch alarms (docs/operations.md has one runbook section per alarm).
# Every alarm reads metrics at one period and fires when datapoints_to_alarm
# of evaluation_periods breach; missing data is not breaching (no traffic is
# no fault).
locals {
  metrics_namespace = coalesce(var.metrics_namespace, "JWTAuthorizer/${var.name}")
  function_metric   = { FunctionName = module.function.function_name }
  api_metric        = var.api == null ? null : { ApiName = var.api.name, Stage = var.api.stage }

  # The alarms to create, keyed as in var.alarms, each with its actions.
  alarm_enabled = var.alarms.create ? {
    errors            = var.alarms.errors.enabled
    throttles         = var.alarms.throttles.enabled
    duration_p99      = var.alarms.duration_p99.enabled
    api_5xx           = var.alarms.api_5xx.enabled && var.api != null
    deny_rate         = var.alarms.deny_rate.enabled
    key_load_failures = var.alarms.key_load_failures.enabled
  } : {}
  own_actions = {
    errors            = var.alarms.errors.actions
    throttles         = var.alarms.throttles.actions
    duration_p99      = var.alarms.duration_p99.actions
    api_5xx           = var.alarms.api_5xx.actions
    deny_rate         = var.alarms.deny_rate.actions
    key_load_failures = var.alarms.key_load_failures.actions
  }
  alarm_actions = {
    for k, on in local.alarm_enabled : k => local.own_actions[k] != null ? local.own_actions[k] : var.alarms.actions if on
  }

  # Verdicts by result, as the function writes them (functions/internal/metrics).
  results = ["allow", "deny", "unauthorized", "error"]
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  count = contains(keys(local.alarm_actions), "errors") ? 1 : 0

  alarm_name        = "${var.name}-errors"
  alarm_description = "The authorizer failed beyond its refusals: crashes, timeouts, out of memory (Lambda Errors less the unauthorized and error verdicts, which API Gateway needs as errors). Runbook: docs/operations.md#errors"
  alarm_actions     = local.alarm_actions.errors
  ok_actions        = local.alarm_actions.errors

  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = var.alarms.datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "failures"
    expression  = "FILL(errors, 0) - FILL(unauthorized, 0) - FILL(refused, 0)"
    label       = "Errors beyond refusals"
    return_data = true
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = local.function_metric
      period      = var.alarms.period
      stat        = "Sum"
    }
  }
  metric_query {
    id = "unauthorized"
    metric {
      namespace   = local.metrics_namespace
      metric_name = "Verdicts"
      dimensions  = { Result = "unauthorized" }
      period      = var.alarms.period
      stat        = "Sum"
    }
  }
  metric_query {
    id = "refused"
    metric {
      namespace   = local.metrics_namespace
      metric_name = "Verdicts"
      dimensions  = { Result = "error" }
      period      = var.alarms.period
      stat        = "Sum"
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  count = contains(keys(local.alarm_actions), "throttles") ? 1 : 0

  alarm_name        = "${var.name}-throttles"
  alarm_description = "Invocations of the authorizer were throttled: API Gateway answered those requests 500. Runbook: docs/operations.md#throttles"
  alarm_actions     = local.alarm_actions.throttles
  ok_actions        = local.alarm_actions.throttles

  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = local.function_metric
  statistic           = "Sum"
  period              = var.alarms.period
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = var.alarms.datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "duration_p99" {
  count = contains(keys(local.alarm_actions), "duration_p99") ? 1 : 0

  alarm_name        = "${var.name}-duration-p99"
  alarm_description = "The authorizer's p99 duration is above ${var.alarms.duration_p99.threshold_ms} ms: key loads (issuer or table slow) or CPU starvation. Runbook: docs/operations.md#duration-p99"
  alarm_actions     = local.alarm_actions.duration_p99
  ok_actions        = local.alarm_actions.duration_p99

  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = local.function_metric
  extended_statistic  = "p99"
  period              = var.alarms.period
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarms.duration_p99.threshold_ms
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = var.alarms.datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  count = contains(keys(local.alarm_actions), "api_5xx") ? 1 : 0

  alarm_name        = "${var.name}-api-5xx"
  alarm_description = "More than ${var.alarms.api_5xx.threshold_percent}% of the stage's requests answered 5XX (the authorizer's failures and throttles included). Runbook: docs/operations.md#api-5xx"
  alarm_actions     = local.alarm_actions.api_5xx
  ok_actions        = local.alarm_actions.api_5xx

  # 5XXError is 1 per request that answered 5XX, else 0: its average is the rate.
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = local.api_metric
  statistic           = "Average"
  period              = var.alarms.period
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarms.api_5xx.threshold_percent / 100
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = var.alarms.datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "deny_rate" {
  count = contains(keys(local.alarm_actions), "deny_rate") ? 1 : 0

  alarm_name        = "${var.name}-deny-rate"
  alarm_description = "More than ${var.alarms.deny_rate.threshold_percent}% of the verdicts are denials (periods of at least ${var.alarms.deny_rate.min_verdicts} verdicts): an issuer's key rotation, a client sending bad tokens, or a flood. Runbook: docs/operations.md#deny-rate"
  alarm_actions     = local.alarm_actions.deny_rate
  ok_actions        = local.alarm_actions.deny_rate

  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarms.deny_rate.threshold_percent
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = var.alarms.datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "rate"
    expression  = "IF(verdicts >= ${var.alarms.deny_rate.min_verdicts}, 100 * FILL(denials, 0) / verdicts, 0)"
    label       = "Denials % of verdicts"
    return_data = true
  }
  metric_query {
    id          = "verdicts"
    expression  = join(" + ", [for r in local.results : "FILL(${r}, 0)"])
    label       = "Verdicts"
    return_data = false
  }
  metric_query {
    id = "denials"
    metric {
      namespace   = local.metrics_namespace
      metric_name = "Denials"
      period      = var.alarms.period
      stat        = "Sum"
    }
  }
  dynamic "metric_query" {
    for_each = local.results
    content {
      id = metric_query.value
      metric {
        namespace   = local.metrics_namespace
        metric_name = "Verdicts"
        dimensions  = { Result = metric_query.value }
        period      = var.alarms.period
        stat        = "Sum"
      }
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "key_load_failures" {
  count = contains(keys(local.alarm_actions), "key_load_failures") ? 1 : 0

  alarm_name        = "${var.name}-key-load-failures"
  alarm_description = "Fetches of the issuers' keys failed more than ${var.alarms.key_load_failures.threshold} times a period (stale keys served, or none). Runbook: docs/operations.md#key-load-failures"
  alarm_actions     = local.alarm_actions.key_load_failures
  ok_actions        = local.alarm_actions.key_load_failures

  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarms.key_load_failures.threshold
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = var.alarms.datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "failures"
    expression  = "FILL(failed, 0) + FILL(stale, 0)"
    label       = "Issuer key loads failed"
    return_data = true
  }
  dynamic "metric_query" {
    for_each = ["failed", "stale"]
    content {
      id = metric_query.value
      metric {
        namespace   = local.metrics_namespace
        metric_name = "KeyLoads"
        dimensions  = { Source = "issuer", Outcome = metric_query.value }
        period      = var.alarms.period
        stat        = "Sum"
      }
    }
  }

  tags = var.tags
}
