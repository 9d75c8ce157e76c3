# One CloudWatch dashboard (var.dashboard): the three questions of an on-call
# engineer, top to bottom: is it denying more than usual, and why; is it
# failing, throttled or slow; is it reaching the issuers and the key table.
locals {
  # SEARCH quotes the namespace: it may hold '/', spaces or ':'.
  search = "{\"${local.metrics_namespace}\""
  dashboard_widgets = concat([
    {
      title   = "Verdicts by result"
      metrics = [for r in local.results : [local.metrics_namespace, "Verdicts", "Result", r, { stat = "Sum", label = r }]]
    },
    {
      title   = "Denials by reason"
      metrics = [[{ expression = "SEARCH('${local.search},Reason} MetricName=\"Denials\"', 'Sum', 60)", id = "reasons", label = "" }]]
    },
    {
      title = "Deny rate (% of verdicts)"
      metrics = concat(
        [[{ expression = "100 * FILL(denials, 0) / (${join(" + ", [for r in local.results : "FILL(${r}, 0)"])})", id = "rate", label = "deny rate %" }]],
        [[local.metrics_namespace, "Denials", { stat = "Sum", id = "denials", visible = false }]],
        [for r in local.results : [local.metrics_namespace, "Verdicts", "Result", r, { stat = "Sum", id = r, visible = false }]],
      )
    },
    {
      title   = "Key loads by source and outcome"
      metrics = [[{ expression = "SEARCH('${local.search},Source,Outcome} MetricName=\"KeyLoads\"', 'Sum', 60)", id = "loads", label = "" }]]
    },
    {
      title   = "Cold start key load (ms)"
      metrics = [for s in ["Average", "Maximum"] : [local.metrics_namespace, "ColdStartLoadMs", { stat = s, label = s }]]
    },
    {
      title   = "Authorizer invocations, errors, throttles"
      metrics = [for m in ["Invocations", "Errors", "Throttles"] : ["AWS/Lambda", m, "FunctionName", module.function.function_name, { stat = "Sum", label = m }]]
    },
    {
      title   = "Authorizer duration (ms)"
      metrics = [for s in ["p50", "p99", "Maximum"] : ["AWS/Lambda", "Duration", "FunctionName", module.function.function_name, { stat = s, label = s }]]
    },
    ], [for w in [
      {
        title   = "API ${try(var.api.name, "")} ${try(var.api.stage, "")}: requests, 4XX, 5XX"
        metrics = [for m in ["Count", "4XXError", "5XXError"] : ["AWS/ApiGateway", m, "ApiName", try(var.api.name, ""), "Stage", try(var.api.stage, ""), { stat = "Sum", label = m }]]
      },
      {
        title = "API ${try(var.api.name, "")} ${try(var.api.stage, "")}: latency (ms)"
        metrics = [for p in setproduct(["Latency", "IntegrationLatency"], ["p50", "p99"]) :
        ["AWS/ApiGateway", p[0], "ApiName", try(var.api.name, ""), "Stage", try(var.api.stage, ""), { stat = p[1], label = "${p[0]} ${p[1]}" }]]
      },
    ] : w if var.api != null]
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = [for i, w in local.dashboard_widgets : {
      type   = "metric"
      x      = (i % 2) * 12
      y      = floor(i / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = w.title
        region  = local.region
        metrics = w.metrics
        view    = "timeSeries"
        stacked = false
        period  = 60
      }
    }]
  })
}
