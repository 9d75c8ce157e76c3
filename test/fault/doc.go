// Package fault holds the fault-injection tests of the authorizer. Each
// scenario runs the real authorizer binary (functions/authorizer, built as
// cmd/package builds it) under the Lambda Runtime Interface Emulator
// (test/rie), configured through its environment as the module configures
// it, talking over real loopback HTTP to an issuer and to moto's DynamoDB
// through test/faultproxy proxies that refuse, reset, hang, slow down, fail,
// answer garbage or oversized bodies, or throttle on demand. (The
// functions/internal packages cannot be imported from test/, and the binary
// is what ships.) The load test serves an API provisioned in moto through the
// local gateway (test/gateway) with the real authorizer and hello packages.
//
//	go test -count=1 ./test/fault/...              # every scenario (~1.5 min, load test included)
//	go test -count=1 -run Load -v ./test/fault/    # the 30 s load test alone
//	FAULT_SHORT=1 go test ./test/fault/...         # without the load test
//	FAULT_TABLE=/tmp/t.md go test ./test/fault/... # also write the fault table as Markdown
//
// Waits: for events (log lines via rie.Function.WaitLog, the DynamoDB item)
// with generous deadlines; the only sleeps are lower bounds for a TTL or a
// penalty window to pass on the authorizer process's real clock.
//
// Each scenario adds a row (scenario, expected, observed, time) to the fault
// table printed at the end of the run (go test -v shows it);
// docs/security.md quotes it.
package fault
