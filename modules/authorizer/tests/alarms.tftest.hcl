# The alarms, the dashboard and the metrics namespace (docs/operations.md):
# what each input creates, planned against the mocked provider (offline), and
# the inputs refused at plan.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                   = "orders-authorizer"
  rest_api_id            = "abc123"
  rest_api_execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
  package                = { path = "tests/bootstrap.zip" }
  issuers = {
    okta = { issuer = "https://dev-1.okta.com/oauth2/default", audiences = ["api://default"], user_id_claim = "uid" }
  }
}

run "off_by_default" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0 && length(aws_cloudwatch_dashboard.this) == 0
    error_message = "No alarm and no dashboard unless asked."
  }
  assert {
    condition     = output.environment["METRICS_NAMESPACE"] == "JWTAuthorizer/orders-authorizer"
    error_message = "The namespace defaults to JWTAuthorizer/NAME, got ${output.environment["METRICS_NAMESPACE"]}."
  }
  assert {
    condition     = length(output.alarm_arns) == 0 && output.dashboard_name == null
    error_message = "Outputs are empty without alarms and dashboard."
  }
}

run "all_alarms" {
  command = plan

  variables {
    metrics_namespace = "Orders/JWT"
    api               = { name = "orders", stage = "v1" }
    alarms = {
      create  = true
      actions = ["arn:aws:sns:eu-west-1:123456789012:oncall"]
      duration_p99 = {
        threshold_ms = 800
        actions      = ["arn:aws:sns:eu-west-1:123456789012:oncall", "arn:aws:sns:eu-west-1:123456789012:latency"]
      }
      deny_rate = { threshold_percent = 30, min_verdicts = 50 }
    }
  }

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["api_5xx", "deny_rate", "duration_p99", "errors", "key_load_failures", "throttles"] && aws_cloudwatch_metric_alarm.this["api_5xx"].alarm_name == "orders-authorizer-api-5xx"
    error_message = "create = true makes the six alarms."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["throttles"].alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:oncall"]) && aws_cloudwatch_metric_alarm.this["throttles"].ok_actions == toset(["arn:aws:sns:eu-west-1:123456789012:oncall"])
    error_message = "An alarm without its own actions notifies alarms.actions, on ALARM and on OK."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this["duration_p99"].alarm_actions) == 2 && aws_cloudwatch_metric_alarm.this["duration_p99"].threshold == 800 && aws_cloudwatch_metric_alarm.this["duration_p99"].extended_statistic == "p99"
    error_message = "duration_p99: its own actions and threshold, on the p99."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["api_5xx"].dimensions["ApiName"] == "orders" && aws_cloudwatch_metric_alarm.this["api_5xx"].dimensions["Stage"] == "v1" && aws_cloudwatch_metric_alarm.this["api_5xx"].threshold == 0.01
    error_message = "api_5xx reads the stage's 5XXError rate (1% = 0.01 of the average)."
  }
  assert {
    condition     = strcontains(one([for q in aws_cloudwatch_metric_alarm.this["deny_rate"].metric_query : q.expression if q.id == "result"]), "verdicts >= 50") && aws_cloudwatch_metric_alarm.this["deny_rate"].threshold == 30
    error_message = "deny_rate: Denials over Verdicts once min_verdicts come in, above threshold_percent."
  }
  assert {
    condition = toset([for q in aws_cloudwatch_metric_alarm.this["deny_rate"].metric_query : "${q.metric[0].namespace}:${q.metric[0].metric_name}:${jsonencode(q.metric[0].dimensions)}" if length(q.metric) > 0]) == toset([
      "Orders/JWT:Denials:null", "Orders/JWT:Verdicts:{\"Result\":\"allow\"}", "Orders/JWT:Verdicts:{\"Result\":\"deny\"}",
      "Orders/JWT:Verdicts:{\"Result\":\"unauthorized\"}", "Orders/JWT:Verdicts:{\"Result\":\"error\"}",
    ])
    error_message = "deny_rate reads the total Denials and the Verdicts of every result, in the configured namespace."
  }
  assert {
    condition     = toset([for q in aws_cloudwatch_metric_alarm.this["key_load_failures"].metric_query : q.metric[0].dimensions.Outcome if length(q.metric) > 0]) == toset(["failed", "stale"])
    error_message = "key_load_failures counts the issuer's failed and stale loads."
  }
  assert {
    condition     = toset([for q in aws_cloudwatch_metric_alarm.this["errors"].metric_query : q.metric[0].metric_name if length(q.metric) > 0]) == toset(["Errors", "Verdicts"])
    error_message = "errors: Lambda Errors less the refusals' verdicts."
  }
  assert {
    condition     = output.environment["METRICS_NAMESPACE"] == "Orders/JWT"
    error_message = "metrics_namespace reaches the function."
  }
}

run "api_5xx_needs_the_api" {
  command = plan

  variables {
    alarms = { create = true, actions = ["arn:aws:sns:eu-west-1:123456789012:oncall"], errors = { enabled = false } }
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.this), "api_5xx") && !contains(keys(aws_cloudwatch_metric_alarm.this), "errors") && contains(keys(aws_cloudwatch_metric_alarm.this), "throttles")
    error_message = "Without api no 5XX alarm; enabled = false drops an alarm."
  }
}

run "dashboard" {
  command = plan

  variables {
    dashboard = true
    api       = { name = "orders", stage = "v1" }
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets) == 9
    error_message = "The dashboard has seven widgets of the authorizer and two of the API."
  }
  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this[0].dashboard_body, "SEARCH('{\\\"JWTAuthorizer/orders-authorizer\\\",Reason} MetricName=\\\"Denials\\\"', 'Sum', 60)")
    error_message = "Denials by reason come from a SEARCH of the namespace."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0
    error_message = "The dashboard alone creates no alarm."
  }
}

run "dashboard_without_api" {
  command = plan

  variables {
    dashboard = true
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets) == 7
    error_message = "Without api the dashboard has the authorizer's seven widgets only."
  }
}

run "action_not_sns" {
  command = plan
  variables {
    alarms = { create = true, actions = ["arn:aws:lambda:eu-west-1:123456789012:function:pager"] }
  }
  expect_failures = [var.alarms]
}

run "own_action_not_sns" {
  command = plan
  variables {
    alarms = { create = true, deny_rate = { actions = ["oncall"] } }
  }
  expect_failures = [var.alarms]
}

run "datapoints_over_periods" {
  command = plan
  variables {
    alarms = { create = true, evaluation_periods = 2, datapoints_to_alarm = 3 }
  }
  expect_failures = [var.alarms]
}

run "period_not_a_minute_multiple" {
  command = plan
  variables {
    alarms = { create = true, period = 90 }
  }
  expect_failures = [var.alarms]
}

run "deny_rate_percent_out_of_range" {
  command = plan
  variables {
    alarms = { create = true, deny_rate = { threshold_percent = 100 } }
  }
  expect_failures = [var.alarms]
}

run "namespace_reserved" {
  command = plan
  variables {
    metrics_namespace = "AWS/Lambda"
  }
  expect_failures = [var.metrics_namespace]
}

run "namespace_charset" {
  command = plan
  variables {
    metrics_namespace = "Orders\"JWT"
  }
  expect_failures = [var.metrics_namespace]
}
