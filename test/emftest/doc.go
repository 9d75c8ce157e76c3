// Package emftest reads CloudWatch Embedded Metric Format records out of a
// function's log and checks each against the rules of the EMF specification
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
// the _aws member with an integer Timestamp and a non-empty CloudWatchMetrics
// array; each directive with a Namespace, Dimensions (sets of at most 30
// keys) and Metrics (at most 100, each with a Name and a CloudWatch unit);
// every dimension key a top-level string member and every metric name a
// top-level number (or array of at most 100 numbers). Tests of package
// metrics, of the authorizer and the fault tests share it.
package emftest
