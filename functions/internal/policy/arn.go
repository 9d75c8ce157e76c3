package policy

import (
	"fmt"
	"strings"
)

// MethodARN is the part of an execute-api method ARN the policy is built
// on: arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/.
// What follows the stage (verb and path) is never read: the policy must not
// depend on the requested path, because API Gateway caches it per token and
// applies it to later requests for other paths.
type MethodARN struct {
	Partition, Region, Account, APIID, Stage string
	// Prefix is "arn:...:<apiId>/<stage>/", shared by every resource of the
	// policy.
	Prefix string
}

// maxPrefixBytes bounds the prefix; real ones are well under 100 bytes.
const maxPrefixBytes = 256

// ParseMethodARN parses the prefix of a methodArn strictly. Every field must
// be non-empty and made of the characters AWS uses for it, so nothing taken
// from the ARN can widen the policy ("*" and "?" are wildcards in a
// resource). A path holding a space or non-ASCII still parses: its policy
// is the caller's, and the gateway answers 403 on a path the policy does not
// allow.
func ParseMethodARN(s string) (MethodARN, error) {
	var m MethodARN
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return m, fmt.Errorf("parse methodArn: no arn prefix: %w", ErrMethodARN)
	}
	var fields [5]string
	for i := range fields {
		sep := byte(':')
		if i == len(fields)-1 {
			sep = '/'
		}
		n := strings.IndexByte(rest, sep)
		if n < 0 {
			return m, fmt.Errorf("parse methodArn: too few fields: %w", ErrMethodARN)
		}
		fields[i], rest = rest[:n], rest[n+1:]
	}
	stage, _, ok := strings.Cut(rest, "/")
	if !ok {
		return m, fmt.Errorf("parse methodArn: no \"/\" after the stage: %w", ErrMethodARN)
	}
	m = MethodARN{Partition: fields[0], Region: fields[2], Account: fields[3], APIID: fields[4], Stage: stage}
	switch {
	case fields[1] != "execute-api":
		return MethodARN{}, fmt.Errorf("parse methodArn: service %q: %w", fields[1], ErrMethodARN)
	case !charset(m.Partition, lowerDash) || !charset(m.Region, lowerDash):
		return MethodARN{}, fmt.Errorf("parse methodArn: bad partition or region: %w", ErrMethodARN)
	case len(m.Account) != 12 || !charset(m.Account, digits):
		return MethodARN{}, fmt.Errorf("parse methodArn: bad account: %w", ErrMethodARN)
	case !charset(m.APIID, alnum) || !charset(m.Stage, stageChars):
		return MethodARN{}, fmt.Errorf("parse methodArn: bad API id or stage: %w", ErrMethodARN)
	}
	m.Prefix = s[:len(s)-len(rest)+len(stage)+1]
	if len(m.Prefix) > maxPrefixBytes {
		return MethodARN{}, fmt.Errorf("parse methodArn: prefix longer than %d bytes: %w", maxPrefixBytes, ErrMethodARN)
	}
	return m, nil
}

// class is a set of byte categories.
type class uint8

const (
	lowerDash  class = 1 << iota // [a-z0-9-]: partition, region
	digits                       // [0-9]: account
	alnum                        // [A-Za-z0-9]: API id
	stageChars                   // [A-Za-z0-9_-]: stage
)

func charset(s string, c class) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if classOf(s[i])&c == 0 {
			return false
		}
	}
	return true
}

func classOf(b byte) class {
	switch {
	case 'a' <= b && b <= 'z':
		return lowerDash | alnum | stageChars
	case 'A' <= b && b <= 'Z':
		return alnum | stageChars
	case '0' <= b && b <= '9':
		return lowerDash | digits | alnum | stageChars
	case b == '-':
		return lowerDash | stageChars
	case b == '_':
		return stageChars
	}
	return 0
}
