# The root passes alarms, dashboard and metrics_namespace to the authorizer,
# with its own API name and stage for the 5XX alarm and the dashboard.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name               = "orders"
  authorizer_package = { path = "modules/function/tests/bootstrap.zip" }
  hello_package      = { path = "modules/function/tests/bootstrap.zip" }
  issuers = {
    cognito = { issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example", client_ids = ["4k1example"], token_use = "access" }
    okta    = { issuer = "https://example.okta.com/oauth2/default", audiences = ["api://default"], user_id_claim = "uid" }
  }
  hello_route = { issuers = ["cognito"] }
}

run "off_by_default" {
  command = plan
  assert {
    condition     = length(output.alarm_arns) == 0 && output.dashboard_name == null && output.metrics_namespace == "JWTAuthorizer/orders-authorizer"
    error_message = "No alarm, no dashboard, the default namespace."
  }
}

run "alarms_and_dashboard" {
  command = plan
  variables {
    stage_name        = "prod"
    metrics_namespace = "Orders/JWT"
    alarms            = { create = true, actions = ["arn:aws:sns:eu-west-1:123456789012:oncall"] }
    dashboard         = true
  }
  assert {
    condition     = length(module.authorizer.alarm_names) == 6 && module.authorizer.alarm_names["api_5xx"] == "orders-authorizer-api-5xx"
    error_message = "The six alarms, the stage's 5XX one included."
  }
  assert {
    condition     = strcontains(module.authorizer.dashboard_name, "orders-authorizer") && output.metrics_namespace == "Orders/JWT"
    error_message = "One dashboard; the namespace passed through."
  }
}
