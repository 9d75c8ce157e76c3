// Package jwks speaks to the token issuer over HTTP: OpenID Connect discovery
// (<issuer>/.well-known/openid-configuration → jwks_uri), the JWKS fetch, and
// the parsing of the key set into public signature keys.
//
// The issuer and JWKS URLs come from package config, which has already
// checked them; this package checks only what arrives over the network: the
// discovery document (its issuer must be the configured one, its jwks_uri
// https whenever the issuer is) and the key set.
//
// Every request is bounded: by the caller's context and client, a body cap
// of MaxBodyBytes, at most MaxRedirects redirects and only to the same host
// (never to another host and never from https to http). Any non-2xx status
// is an error.
//
// JSON is read with go-jose's decoder, which matches member names exactly
// and rejects duplicate names, so a key is filed under the kid go-jose reads
// whether it comes from the issuer or from a stored copy.
package jwks
