// Package jwttest creates signing keys, JWKS documents and tokens for tests and
// benchmarks of the authorizer, and serves them from a fake issuer (Issuer)
// on a settable clock (Clock), with a log sink tests can wait on (Log): the
// one test-support layer for JWTs.
//
// It deliberately signs whatever bytes it is given, so tests can build tokens
// that no well-behaved issuer would produce: duplicate JSON keys, wrong claim
// types, forbidden header fields, "none" or HMAC algorithms. Signing is done
// with the standard library (not go-jose) so that the code under test and the
// code producing its inputs share no parsing logic.
//
// Typical use:
//
//	k := jwttest.NewRSA("kid-1", 2048)
//	jwks := jwttest.JWKS(k)                         // serve this as the issuer's key set
//	tok := k.Mint(nil, jwttest.Claims("https://issuer", "user-1", time.Now()))
//	bad := k.Mint(jwttest.Header{"jku": "https://evil"}, claims)
//	raw := k.SignRaw("RS256", []byte(`{"alg":"RS256","alg":"RS256"}`), payload)
//
//	iss := jwttest.NewIssuer(k)                     // discovery + key set on loopback
//	t.Cleanup(iss.Close)
//	iss.Publish(k2)                                 // rotate; iss.Fail(503), iss.Hang(true)
//	err := iss.WaitFetches(ctx, 2)                  // wait for the event, not for time
//
// All constructors panic on error: they are meant for tests only, where a
// failure to generate a key is a broken environment, not a test outcome.
package jwttest
