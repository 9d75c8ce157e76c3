// Package authorizer is the API Gateway TOKEN authorizer: token → keys →
// verdict → policy → response.
//
// Every rejection, whatever its cause, is the error "Unauthorized" (API
// Gateway turns exactly that string into a 401); the cause goes to one
// structured log line per verdict, which never contains the token.
package authorizer
