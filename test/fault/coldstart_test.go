package fault

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	fp "github.com/jwtauthz/terraform-aws-jwt-authorizer/test/faultproxy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// Concurrent cold starts: several authorizer PROCESSES (the real binary under
// the RIE) start at once, all miss the item, all fetch from an issuer that is
// rotating (it answers {k1,k2} and {k2,k3} alternately) and all write the
// item. The item must be one whole, valid key set, and every process must end
// with a valid key set of its own (k2 passes everywhere; exactly one of k1/k3,
// the one its set holds). A second wave with the issuer down starts from the
// item alone.
func TestConcurrentColdStartProcesses(t *testing.T) {
	const wave1, wave2 = 6, 4
	e := newEnv(t)
	e.iss.PublishJWKS(jwttest.JWKS(k1, k2), jwttest.JWKS(k2, k3))
	// Widen the race: every fetch and every DynamoDB call takes a while, so
	// the processes overlap from GetItem to the write-back (UpdateItem).
	e.setJWKS(fp.Fault{Mode: fp.Slow, Delay: 300 * time.Millisecond})
	e.setDDB(fp.Fault{Mode: fp.Slow, Delay: 100 * time.Millisecond})
	s := settings{timeout: 3 * time.Second, window: 10 * time.Second}

	start := time.Now()
	procs := make([]*authz, wave1)
	first := make([]verdict, wave1)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range wave1 {
		wg.Go(func() {
			a := e.coldStartNoInit(s)
			v := a.call(mint(k2, "alice"), "alice") // init + first verdict, all at once
			mu.Lock()
			procs[i], first[i] = a, v
			mu.Unlock()
		})
	}
	wg.Wait()
	took := time.Since(start)
	for i, v := range first {
		if !v.allowed {
			t.Errorf("process %d: first token refused: %s", i, v.payload)
		}
	}
	it, err := e.itemWhen(anyItem)
	if err != nil {
		t.Fatalf("item after concurrent cold starts: %v\n%s", err, it.raw)
	}
	kids := strings.Join(it.kids, ",")
	if kids != "k1,k2" && kids != "k2,k3" {
		t.Errorf("item holds %q, want exactly one published set", kids)
	}
	sets := map[string]int{}
	for i, a := range procs {
		a.mustAllow(t, mint(k2, "bob"), "bob")
		has1, has3 := a.call(mint(k1, "carol"), "carol").allowed, a.call(mint(k3, "dave"), "dave").allowed
		if has1 == has3 {
			t.Errorf("process %d: k1 allowed %v, k3 allowed %v: not one whole set", i, has1, has3)
		}
		if has1 {
			sets["k1,k2"]++
		} else {
			sets["k2,k3"]++
		}
		a.noCrash(t)
	}
	fetches := e.iss.Fetches()
	puts := e.ddbProxy.Count("DynamoDB_20120810.UpdateItem")

	// Second wave: the issuer is down; the processes start from the item.
	e.setJWKS(fp.Fault{Mode: fp.Refuse})
	e.setDDB(fp.Fault{Mode: fp.Pass})
	for i := range wave2 {
		wg.Go(func() {
			a := e.coldStartNoInit(s)
			if v := a.call(mint(k2, "erin"), "erin"); !v.allowed {
				t.Errorf("wave 2 process %d: refused: %s", i, v.payload)
			}
			want1 := slices.Contains(it.kids, "k1")
			if got := a.call(mint(k1, "frank"), "frank").allowed; got != want1 {
				t.Errorf("wave 2 process %d: k1 allowed = %v, item holds %v", i, got, it.kids)
			}
		})
	}
	wg.Wait()
	if e.iss.Fetches() != fetches {
		t.Errorf("wave 2 reached the issuer")
	}
	record(t, "no corrupted item; each process a valid set; later cold starts from the item",
		fmt.Sprintf("%d processes at once: all allowed in %v; %d issuer fetches, %d UpdateItem (write-back); item = {%s} (valid); processes hold %v; %d more processes from the item with the issuer down: all allowed",
			wave1, took.Round(time.Millisecond), fetches, puts, kids, sets, wave2),
		took)
}

// coldStartNoInit is coldStart without the init invocation: the first call
// is the cold start.
func (e *env) coldStartNoInit(s settings) *authz {
	return e.coldStartWith(s, false)
}
