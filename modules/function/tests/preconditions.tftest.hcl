# The function's preconditions, planned against a mocked provider (offline).
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name               = "orders-authorizer"
  package_path       = "tests/bootstrap.zip"
  timeout            = 5
  min_timeout        = 5
  min_timeout_reason = "a cold start may take 2 x 2000 ms + 1 s."
}

run "valid" {
  command = plan
}

run "timeout_below_minimum" {
  command = plan
  variables {
    timeout = 4
  }
  expect_failures = [aws_lambda_function.this]
}

run "missing_local_package" {
  command = plan
  variables {
    package_path = "tests/does-not-exist.zip"
  }
  expect_failures = [aws_lambda_function.this]
}

run "s3_package_needs_no_local_file" {
  command = plan
  variables {
    package_path = null
    s3_package   = { bucket = "artifacts", key = "authorizer/v0.2.0/arm64.zip" }
  }
}

run "existing_role_required_without_create_role" {
  command = plan
  variables {
    create_role = false
  }
  expect_failures = [aws_lambda_function.this]
}
