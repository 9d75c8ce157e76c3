// Package fault holds the fault-injection tests of the authorizer: the real
// handler (authorizer + token + keys.Provider + keystore.Dynamo, wired as
// functions/authorizer/main.go wires them), or the real binary under the
// Lambda Runtime Interface Emulator, talking over real loopback HTTP to an
// issuer and to moto's DynamoDB through test/faultproxy proxies that refuse,
// hang, slow down, fail or throttle on demand.
//
//	go test -count=1 ./test/fault/...            # every scenario (~3 min, load test included)
//	go test -count=1 -run Load ./test/fault/     # the 30 s load test through the local gateway
//	FAULT_SHORT=1 go test ./test/fault/...       # skips the load test
//
// Each scenario adds a row (scenario, expected, observed, time) to the fault
// table printed at the end of the run; docs/security.md quotes it.
package fault
