// Package config turns the Lambda environment into typed settings.
//
// Every setting of the functions is read here, once, at cold start, so that a
// misconfiguration fails the cold start with one error naming the setting
// instead of rejecting every request later. Errors wrap ErrInvalidSetting.
package config
