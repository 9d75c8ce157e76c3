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

  # One metric of an alarm's math (queries below: id => metric).
  lambda_metric = { for m in ["Errors", "Throttles", "Duration"] : m => { namespace = "AWS/Lambda", metric_name = m, dimensions = local.function_metric } }
  verdicts      = { for r in local.results : r => { namespace = local.metrics_namespace, metric_name = "Verdicts", dimensions = { Result = r } } }
  issuer_loads  = { for o in ["failed", "stale"] : o => { namespace = local.metrics_namespace, metric_name = "KeyLoads", dimensions = { Source = "issuer", Outcome = o } } }

  # Each alarm: what it says, its threshold, and either one metric (with its
  # statistic) or metric math: expression over metrics, each summed per period.
  alarms = {
    errors = {
      description = "The authorizer failed beyond its refusals: crashes, timeouts, out of memory (Lambda Errors less the unauthorized and error verdicts, which API Gateway needs as errors). Runbook: docs/operations.md#errors"
      threshold   = 0
      metric      = null
      expression  = "FILL(errors, 0) - FILL(unauthorized, 0) - FILL(refused, 0)"
      label       = "Errors beyond refusals"
      metrics     = { errors = local.lambda_metric.Errors, unauthorized = local.verdicts.unauthorized, refused = local.verdicts.error }
    }
    throttles = {
      description = "Invocations of the authorizer were throttled: API Gateway answered those requests 500. Runbook: docs/operations.md#throttles"
      threshold   = 0
      metric      = merge(local.lambda_metric.Throttles, { statistic = "Sum", extended_statistic = null })
      expression  = null
      label       = null
      metrics     = {}
    }
    duration_p99 = {
      description = "The authorizer's p99 duration is above ${var.alarms.duration_p99.threshold_ms} ms: key loads (issuer or table slow) or CPU starvation. Runbook: docs/operations.md#duration-p99"
      threshold   = var.alarms.duration_p99.threshold_ms
      metric      = merge(local.lambda_metric.Duration, { statistic = null, extended_statistic = "p99" })
      expression  = null
      label       = null
      metrics     = {}
    }
    # 5XXError is 1 per request that answered 5XX, else 0: its average is the rate.
    api_5xx = {
      description = "More than ${var.alarms.api_5xx.threshold_percent}% of the stage's requests answered 5XX (the authorizer's failures and throttles included). Runbook: docs/operations.md#api-5xx"
      threshold   = var.alarms.api_5xx.threshold_percent / 100
      metric      = { namespace = "AWS/ApiGateway", metric_name = "5XXError", dimensions = local.api_metric, statistic = "Average", extended_statistic = null }
      expression  = null
      label       = null
      metrics     = {}
    }
    deny_rate = {
      description = "More than ${var.alarms.deny_rate.threshold_percent}% of the verdicts are denials (periods of at least ${var.alarms.deny_rate.min_verdicts} verdicts): an issuer's key rotation, a client sending bad tokens, or a flood. Runbook: docs/operations.md#deny-rate"
      threshold   = var.alarms.deny_rate.threshold_percent
      metric      = null
      expression  = "IF(verdicts >= ${var.alarms.deny_rate.min_verdicts}, 100 * FILL(denials, 0) / verdicts, 0)"
      label       = "Denials % of verdicts"
      metrics     = merge(local.verdicts, { denials = { namespace = local.metrics_namespace, metric_name = "Denials", dimensions = null } })
    }
    key_load_failures = {
      description = "Fetches of the issuers' keys failed more than ${var.alarms.key_load_failures.threshold} times a period (stale keys served, or none). Runbook: docs/operations.md#key-load-failures"
      threshold   = var.alarms.key_load_failures.threshold
      metric      = null
      expression  = "FILL(failed, 0) + FILL(stale, 0)"
      label       = "Issuer key loads failed"
      metrics     = local.issuer_loads
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarm_actions

  alarm_name        = "${var.name}-${replace(each.key, "_", "-")}"
  alarm_description = local.alarms[each.key].description
  alarm_actions     = each.value
  ok_actions        = each.value

  namespace          = try(local.alarms[each.key].metric.namespace, null)
  metric_name        = try(local.alarms[each.key].metric.metric_name, null)
  dimensions         = try(local.alarms[each.key].metric.dimensions, null)
  statistic          = try(local.alarms[each.key].metric.statistic, null)
  extended_statistic = try(local.alarms[each.key].metric.extended_statistic, null)
  period             = local.alarms[each.key].metric == null ? null : var.alarms.period

  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alarms[each.key].threshold
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = var.alarms.datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  dynamic "metric_query" {
    for_each = local.alarms[each.key].expression == null ? {} : { result = local.alarms[each.key] }
    content {
      id          = "result"
      expression  = metric_query.value.expression
      label       = metric_query.value.label
      return_data = true
    }
  }
  # The deny rate divides by the sum of the verdicts of every result.
  dynamic "metric_query" {
    for_each = each.key == "deny_rate" ? { verdicts = join(" + ", [for r in local.results : "FILL(${r}, 0)"]) } : {}
    content {
      id         = metric_query.key
      expression = metric_query.value
      label      = "Verdicts"
    }
  }
  dynamic "metric_query" {
    for_each = local.alarms[each.key].metrics
    content {
      id = metric_query.key
      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.metric_name
        dimensions  = metric_query.value.dimensions
        period      = var.alarms.period
        stat        = "Sum"
      }
    }
  }

  tags = var.tags
}

