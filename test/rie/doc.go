// Package rie runs Lambda function packages locally under the AWS Lambda
// Runtime Interface Emulator (aws-lambda-rie): one emulator process per
// function instance, each with its own loopback ports, invoked over the
// emulator's HTTP API. The tests, the fault suite, the local gateway and the
// benchmark suite all run functions through it.
//
// The emulator answers every invocation with HTTP 200 unless the runtime
// process crashed, and it drops the Lambda-Runtime-Function-Error-Type
// header, so this package classifies results from the body: a timeout is the
// plain text "Task timed out after N.00 seconds"; a function error is the
// runtime's JSON error object {"errorMessage": …, "errorType": …}.
//
// Logs: when Invoke returns, the emulator's own lines of that invocation
// (INIT START, INIT REPORT, START, END, REPORT) have been read. The
// function's lines reach the emulator's stdout through a relay of its own
// and may trail the response: wait for them with Function.WaitLog.
package rie
