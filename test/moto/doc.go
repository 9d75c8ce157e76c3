// Package moto gives tests and local tools the embedded AWS: a real moto server
// spoken to over HTTP. It reuses the server named by MOTO_ENDPOINT when one
// answers there, and otherwise starts moto_server on a free loopback port for
// the life of the caller.
package moto
