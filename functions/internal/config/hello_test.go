package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestHelloFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        []string // nil: any issuer
		err         error
	}{
		{"unset serves any issuer", "", nil, nil},
		{"blank serves any issuer", " , ", nil, nil},
		{"one", "cognito", []string{"cognito"}, nil},
		{"two, trimmed", " cognito , okta-workforce_2 ", []string{"cognito", "okta-workforce_2"}, nil},
		{"a name ISSUERS cannot hold", "cognito,okta.com", nil, ErrInvalidSetting},
		{"a space inside a name", "cog nito", nil, ErrInvalidSetting},
		{"too long", strings.Repeat("a", 65), nil, ErrInvalidSetting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := HelloFromEnv(func(k string) string {
				if k == "ISSUER_NAMES" {
					return tc.value
				}
				return ""
			})
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "read ISSUER_NAMES:") {
					t.Errorf("error %q does not name ISSUER_NAMES", err)
				}
				return
			}
			if !reflect.DeepEqual(c.IssuerNames, tc.want) {
				t.Errorf("IssuerNames = %q, want %q", c.IssuerNames, tc.want)
			}
		})
	}
}
