//go:build moto

package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/faultproxy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

// TestRIEFleetRefetchWindow: several authorizer processes under the RIE
// share one key table in moto and are flooded with tokens naming random
// kids. The refetch lease on the issuer's item makes the whole fleet ask
// the issuer at most once per window (JWKS_REFETCH_MIN_INTERVAL_SECONDS);
// without a table each process keeps its own window. Good tokens pass
// throughout. The measured numbers are logged as "fleet:" lines
// (docs/security.md quotes them).
func TestRIEFleetRefetchWindow(t *testing.T) {
	const (
		processes = 4
		window    = time.Second
		flood     = 4 * time.Second // per run, every process flooding
	)
	srv := moto.Start(t)
	table, _ := srv.CreateKeysTable(t, "authorizer-fleet-")
	// DynamoDB calls go through a counting proxy.
	ddb, err := faultproxy.New(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ddb.Close)

	key := jwttest.NewRSA("k1", 2048)
	env := func(iss *jwttest.Issuer, withTable bool) map[string]string {
		m := map[string]string{
			"ISSUER": iss.URL(), "JWKS_URL": iss.JWKSURL(), "AUDIENCES": "api://orders",
			"ROUTES":                            `[{"route":"GET/hello/{userId}"}]`,
			"KEYS_CACHE_TTL_SECONDS":            "3600",
			"JWKS_REFETCH_MIN_INTERVAL_SECONDS": strconv.Itoa(int(window / time.Second)),
			"JWKS_FETCH_TIMEOUT_MS":             "5000", // generous: a loaded machine must not fail a cold start's fetch
		}
		for _, kv := range srv.Env() {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		if withTable {
			m["KEYS_TABLE_NAME"] = table
			m["AWS_ENDPOINT_URL_DYNAMODB"] = ddb.URL()
		}
		return m
	}
	type result struct {
		coldFetches, fetches int64
		elapsed              time.Duration
		forged, denied       int
		goodCalls, goodOK    int
		errs                 []error
		leaseLost            int
		gets, updates        int64
	}
	run := func(t *testing.T, withTable bool) result {
		iss := jwttest.NewIssuer(key)
		t.Cleanup(iss.Close)
		fleet := make([]*process, processes)
		for i := range fleet {
			fleet[i] = startProcess(t, fmt.Sprintf("fleet-%v-%d", withTable, i), env(iss, withTable))
		}
		var r result
		r.coldFetches = iss.Fetches()
		goodTok := key.Mint(nil, claimsFor(iss.URL(), "alice"))
		// Forged tokens: a real token's payload and signature under a header
		// naming a random kid (a flood needs no key; it is refused before
		// any signature work, after at most one lookup per window).
		parts := jwttest.Parts(key.Mint(nil, claimsFor(iss.URL(), "mallory")))
		getsBefore, updatesBefore := ddb.Count("DynamoDB_20120810.GetItem"), ddb.Count("DynamoDB_20120810.UpdateItem")
		before := iss.Fetches()
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		for i, p := range fleet {
			wg.Go(func() {
				forged, denied, goodCalls, goodOK := 0, 0, 0, 0
				var errs []error
				for n := 0; time.Since(start) < flood && len(errs) == 0; n++ {
					h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": fmt.Sprintf("forged-%d-%d", i, n)})
					_, unauthorized, err := p.try(jwttest.Encode(h)+"."+parts[1]+"."+parts[2], "GET/hello/mallory")
					if err != nil {
						errs = append(errs, err)
					}
					if unauthorized {
						denied++
					}
					forged++
					if n%10 == 0 {
						goodCalls++
						resp, unauthorized, err := p.try(goodTok, "GET/hello/alice")
						if err != nil {
							errs = append(errs, err)
						}
						if !unauthorized && len(allowed(resp)) == 1 {
							goodOK++
						}
					}
				}
				mu.Lock()
				r.forged, r.denied, r.goodCalls, r.goodOK = r.forged+forged, r.denied+denied, r.goodCalls+goodCalls, r.goodOK+goodOK
				r.errs = append(r.errs, errs...)
				mu.Unlock()
			})
		}
		wg.Wait()
		r.elapsed = time.Since(start)
		r.fetches = iss.Fetches() - before
		r.gets = ddb.Count("DynamoDB_20120810.GetItem") - getsBefore
		r.updates = ddb.Count("DynamoDB_20120810.UpdateItem") - updatesBefore
		for _, p := range fleet {
			r.leaseLost += strings.Count(p.fn.Log(), "refetch lease held by another instance")
		}
		for _, err := range r.errs {
			t.Error(err)
		}
		if r.denied != r.forged {
			t.Errorf("%d of %d forged tokens refused", r.denied, r.forged)
		}
		if r.goodOK != r.goodCalls {
			t.Errorf("%d of %d good tokens allowed during the flood", r.goodOK, r.goodCalls)
		}
		return r
	}
	// A fetch needs the window to have passed since the previous one, so
	// over elapsed time e at most floor(e/window)+1 fetches can happen.
	windows := func(e time.Duration) int64 { return int64(e/window) + 1 }

	t.Run("shared table", func(t *testing.T) {
		r := run(t, true)
		t.Logf("fleet: %d processes sharing one table, window %v: cold starts %d issuer fetch(es); flood of %d forged kids in %v → %d issuer fetches (limit %d), %d lease losses, DynamoDB %d GetItem / %d UpdateItem; good tokens %d/%d allowed",
			processes, window, r.coldFetches, r.forged, r.elapsed.Round(time.Millisecond), r.fetches, windows(r.elapsed), r.leaseLost, r.gets, r.updates, r.goodOK, r.goodCalls)
		// Cold starts after the first read the item, unless their DynamoDB
		// read times out on a loaded machine and they ask the issuer: not
		// asserted.
		if r.fetches < 1 || r.fetches > windows(r.elapsed) {
			t.Errorf("flood made %d issuer fetches in %v, want 1 to %d: one per %v window for the whole fleet", r.fetches, r.elapsed, windows(r.elapsed), window)
		}
		if r.leaseLost == 0 {
			t.Errorf("no process ever lost the refetch lease: the fleet did not coordinate")
		}
	})
	t.Run("memory only", func(t *testing.T) {
		r := run(t, false)
		t.Logf("fleet: %d processes without a table, window %v: cold starts %d issuer fetch(es); flood of %d forged kids in %v → %d issuer fetches (per-process limit %d × %d)",
			processes, window, r.coldFetches, r.forged, r.elapsed.Round(time.Millisecond), r.fetches, processes, windows(r.elapsed))
		if r.coldFetches != processes {
			t.Errorf("cold starts made %d issuer fetches, want %d (one per process)", r.coldFetches, processes)
		}
		if r.fetches > processes*windows(r.elapsed) {
			t.Errorf("flood made %d issuer fetches in %v, want at most %d: one per window per process", r.fetches, r.elapsed, processes*windows(r.elapsed))
		}
	})
}
