package hello

import (
	"errors"
	"fmt"
	"net/url"
)

// ErrBadOrigin is returned for a CORS_ALLOW_ORIGIN that is not one origin.
var ErrBadOrigin = errors.New("not an origin (scheme://host[:port])")

// CORS is the one browser origin allowed to read hello's answers. API
// Gateway adds no headers to an AWS_PROXY answer, so the function sends them
// itself; the zero value sends none.
type CORS struct {
	AllowOrigin string
}

// CORSFromEnv reads CORS_ALLOW_ORIGIN (empty: CORS off). The value must be
// exactly one origin, as modules/rest-api's cors.allow_origin.
func CORSFromEnv(getenv func(string) string) (CORS, error) {
	origin := getenv("CORS_ALLOW_ORIGIN")
	if origin == "" {
		return CORS{}, nil
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		u.String() != origin {
		return CORS{}, fmt.Errorf("read CORS_ALLOW_ORIGIN %q: %w", origin, ErrBadOrigin)
	}
	return CORS{AllowOrigin: origin}, nil
}

// headers adds the CORS headers to h: the origin, the one header a client
// reads on an error (WWW-Authenticate, as on the gateway's own answers), and
// Vary so that a cache keeps answers for different origins apart. No
// Allow-Credentials: the token travels in Authorization, not in a cookie.
func (c CORS) headers(h map[string]string) {
	if c.AllowOrigin == "" {
		return
	}
	h["Access-Control-Allow-Origin"] = c.AllowOrigin
	h["Access-Control-Expose-Headers"] = "WWW-Authenticate"
	h["Vary"] = "Origin"
}
