// Command local runs a consumer's own Terraform configuration (a REST API
// with modules/authorizer) on this machine: moto as AWS, the local API
// Gateway of test/gateway in front of the real Lambda packages under the
// Lambda Runtime Interface Emulator, and a loopback OpenID Connect issuer
// whose tokens the authorizer accepts. See docs/local.md.
//
//	go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/local@VERSION up -chdir .
//	go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/local@VERSION token -chdir . -sub alice -scope orders/read
//	go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/local@VERSION down -chdir .
//
// up stays in the foreground until Ctrl-C (or down from another terminal),
// then destroys what it applied and stops what it started. Everything it
// keeps (state, logs, packages, Terraform's data folder) is under .local/
// in the configuration's folder; the provider override it writes there is
// local_moto_override.tf. Both belong in the consumer's .gitignore.
package main

import (
	"fmt"
	"os"
)

const usage = `usage:
  local up    -chdir DIR [-listen 127.0.0.1:8080] [-aud local]   apply DIR on moto and serve its REST APIs
  local token -chdir DIR [-sub alice] [-scope S]... [-group G]... mint a token of the local issuer
  local down  -chdir DIR                                         destroy, stop, remove the override
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "up":
		err = upCommand(args)
	case "token":
		err = tokenCommand(args)
	case "down":
		err = downCommand(args)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "local: error:", err)
		os.Exit(1)
	}
}
