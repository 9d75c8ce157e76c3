package jwks

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-jose/go-jose/v4/json"
)

// DiscoveryPath is appended to the issuer to find its configuration.
const DiscoveryPath = "/.well-known/openid-configuration"

// DiscoveryURL returns the OpenID configuration URL of issuer.
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + DiscoveryPath
}

// Discover reads the issuer's OpenID configuration and returns its jwks_uri.
// The document's "issuer" must be identical to issuer (OpenID Connect
// Discovery §4.3): a document that omits it, or names another issuer, could
// hand us anyone's keys. jwks_uri must be an absolute http(s) URL, and https
// whenever the issuer is: no downgrade to a readable, forgeable channel.
func (c *Client) Discover(ctx context.Context, issuer string) (string, error) {
	body, err := c.get(ctx, DiscoveryURL(issuer))
	if err != nil {
		return "", fmt.Errorf("discover jwks_uri: %w", err)
	}
	var doc struct {
		Issuer  *string `json:"issuer"`
		JWKSURI string  `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("discover jwks_uri: %w: %v", ErrDiscovery, err)
	}
	switch {
	case doc.Issuer == nil:
		return "", fmt.Errorf("discover jwks_uri: %w: no issuer", ErrDiscovery)
	case *doc.Issuer != issuer:
		return "", fmt.Errorf("discover jwks_uri: %w: issuer %.200q, want %.200q", ErrDiscovery, *doc.Issuer, issuer)
	case doc.JWKSURI == "":
		return "", fmt.Errorf("discover jwks_uri: %w: no jwks_uri", ErrDiscovery)
	}
	ju, err := url.Parse(doc.JWKSURI)
	if err != nil || (ju.Scheme != "https" && ju.Scheme != "http") || ju.Host == "" {
		return "", fmt.Errorf("discover jwks_uri: %w: jwks_uri %.200q is not an absolute http(s) URL", ErrDiscovery, doc.JWKSURI)
	}
	if strings.HasPrefix(strings.ToLower(issuer), "https:") && ju.Scheme != "https" {
		return "", fmt.Errorf("discover jwks_uri: %w: jwks_uri %.200q is not https", ErrDiscovery, doc.JWKSURI)
	}
	return doc.JWKSURI, nil
}
