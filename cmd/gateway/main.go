// Command gateway serves a REST API stage deployed into moto locally: the
// API's routes, its Lambda TOKEN authorizer and AWS_PROXY integrations, each
// function running from its local zip under the Lambda Runtime Interface
// Emulator (see package test/gateway).
//
//	go run ./cmd/gateway -rest-api-id abc123 -stage prod -packages dist/x86_64
//
// It prints the invoke URL, then one line per request on stdout; the
// functions' output goes to stderr. SIGHUP restarts every function (the next
// request is a cold start); SIGINT/SIGTERM stop it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/emftest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run() error {
	defEndpoint := os.Getenv("MOTO_ENDPOINT")
	if defEndpoint == "" {
		defEndpoint = "http://127.0.0.1:5000"
	}
	endpoint := flag.String("endpoint", defEndpoint, "moto endpoint (default $MOTO_ENDPOINT)")
	apiID := flag.String("rest-api-id", "", "REST API id (required)")
	stage := flag.String("stage", "", "stage name (required)")
	listen := flag.String("listen", "127.0.0.1:8080", "listen address (port 0: any free port)")
	packages := flag.String("packages", "dist/"+rie.HostArchitecture(), "folder with the function zips")
	instances := flag.Int("instances", 1, "concurrent instances per function")
	emulator := flag.String("rie", "", "aws-lambda-rie binary (default $RIE_BIN, PATH, ./bin)")
	ignorePerms := flag.Bool("ignore-permissions", false, "skip the functions' resource policy check")
	fnLog := flag.String("function-log", "-", "where the functions' output goes: - for stderr, a file, or none")
	flag.Parse()
	if *apiID == "" || *stage == "" {
		flag.Usage()
		return errors.New("-rest-api-id and -stage are required")
	}

	var fnOut io.Writer = os.Stderr
	switch *fnLog {
	case "-":
	case "none":
		fnOut = io.Discard
	default:
		f, err := os.OpenFile(*fnLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("open function log: %w", err)
		}
		defer f.Close()
		fnOut = f
	}

	// The metrics the functions wrote, summed for one line at exit.
	var tally emftest.Tally
	fnOut = io.MultiWriter(fnOut, &tally)
	defer func() { fmt.Println("gateway: " + tally.Summary()) }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m := &moto.Server{Endpoint: strings.TrimRight(*endpoint, "/")}
	cfg, err := m.Config(ctx)
	if err != nil {
		return fmt.Errorf("configure the AWS SDK: %w", err)
	}
	loadCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	gw, err := gateway.New(loadCtx, gateway.Options{
		AWS: cfg, Endpoint: m.Endpoint, RestAPIID: *apiID, Stage: *stage, Packages: *packages,
		Emulator: *emulator, Instances: *instances, IgnorePermissions: *ignorePerms,
		AccessLog: os.Stdout, FunctionLog: fnOut,
	})
	if err != nil {
		return err
	}
	defer gw.Close()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s (port taken? pass -listen 127.0.0.1:0 for any free port): %w", *listen, err)
	}
	api := gw.API()
	url := "http://" + ln.Addr().String() + "/" + api.Stage
	fmt.Printf("gateway: serving %s (%s) stage %s at %s\n", api.Name, api.ID, api.Stage, url)
	for _, r := range api.Resources {
		for verb, m := range r.Methods {
			auth := m.AuthorizationType
			if a := api.Authorizers[m.AuthorizerID]; a != nil {
				auth += " " + a.Name
			}
			fmt.Printf("gateway:   %s %s%s (%s)%s\n", verb, url, r.Path, auth, backend(api, m.Integration))
		}
	}
	fmt.Printf("gateway: functions %s; SIGHUP restarts them\n", strings.Join(gw.Functions(), ", "))

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			for _, n := range gw.Functions() {
				_ = gw.Restart(n)
			}
			gw.FlushCache()
			fmt.Println("gateway: functions restarted, authorizer cache flushed")
		}
	}()

	srv := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	return srv.Shutdown(shut)
}

// backend names where a method's requests go: " → function", " → URL"
// (HTTP_PROXY) or " → MOCK".
func backend(api *gateway.API, in *gateway.Integration) string {
	switch {
	case in == nil:
		return " → no integration"
	case in.Type == "AWS_PROXY" && api.Functions[in.FunctionARN] != nil:
		return " → " + api.Functions[in.FunctionARN].Name
	case in.Type == "HTTP_PROXY":
		return " → " + in.URI
	}
	return " → " + in.Type
}
