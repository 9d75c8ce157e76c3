package main

import (
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/bench/internal/fixture"
)

// Results is everything one suite run measured (build/bench/results.json);
// the report is rendered from it alone.
type Results struct {
	Smoke    bool      `json:"smoke"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Machine  Machine   `json:"machine"`
	Commands []string  `json:"commands"`
	Skipped  []string  `json:"skipped,omitempty"`
	Failures []string  `json:"failures,omitempty"`

	Fixture   FixtureInfo `json:"fixture"`
	Warm      Warm        `json:"warm"`
	Cold      Cold        `json:"cold"`
	Like      Cold        `json:"like"`
	Footprint Footprint   `json:"footprint"`
	Caching   Caching     `json:"caching"`
}

// Machine describes where the figures come from.
type Machine struct {
	CPU         string  `json:"cpu"`
	Cores       int     `json:"cores"`
	Kernel      string  `json:"kernel"`
	Go          string  `json:"go"`
	Node        string  `json:"node"`
	OpenSSL     string  `json:"openssl"`
	NodeOpenSSL string  `json:"nodeOpenssl"`
	Load1       float64 `json:"load1"`   // at start
	LoadEnd     float64 `json:"loadEnd"` // at end of the warm section
	MemTotalMB  int     `json:"memTotalMB"`
}

// FixtureInfo summarises the token set.
type FixtureInfo struct {
	Tokens        int    `json:"tokens"`
	TokenBytes    int    `json:"tokenBytes"` // length of the first RS256 token
	ES256Bytes    int    `json:"es256Bytes"`
	PayloadBytes  int    `json:"payloadBytes"`
	Issuer        string `json:"issuer"`
	Audience      string `json:"audience"`
	ClientID      string `json:"clientId"`
	RequiredScope string `json:"requiredScope"`
	Dir           string `json:"dir"`
	ClaimsSample  string `json:"claimsSample"`

	f *fixture.Fixture
}

// Warm holds the warm-verdict figures.
type Warm struct {
	GoCount   int       `json:"goCount"`
	Benchtime string    `json:"benchtime"`
	KeysKind  string    `json:"keysKind"`
	Rows      []WarmRow `json:"rows"`
	OpenSSL   []Native  `json:"openssl"`
	RawGo     string    `json:"rawGo"` // go test output, for the appendix
	Profile   Profile   `json:"profile"`
}

// WarmRow is one verifier × algorithm.
type WarmRow struct {
	Alg         string    `json:"alg"`
	Impl        string    `json:"impl"`
	Label       string    `json:"label"`
	Samples     []float64 `json:"samples"` // ns per verdict of each run
	Median      float64   `json:"median"`
	BytesPerOp  float64   `json:"bytesPerOp,omitempty"`
	AllocsPerOp float64   `json:"allocsPerOp,omitempty"`
	// Paired is BenchmarkPaired's x-floor of each run: verdict by verdict
	// interleaved with the floor, median over blocks of 100 pairs.
	Paired       []float64 `json:"paired,omitempty"`
	PairedMedian float64   `json:"pairedMedian,omitempty"`
}

// Native is an openssl speed figure.
type Native struct {
	Alg       string  `json:"alg"`
	Test      string  `json:"test"`
	VerifyPS  float64 `json:"verifyPerSecond"`
	NsPerOp   float64 `json:"nsPerVerify"`
	RawOutput string  `json:"raw"`
}

// Cold holds cold-start variants.
type Cold struct {
	Runs     int           `json:"runs"`
	Variants []ColdVariant `json:"variants"`
	Notes    []string      `json:"notes,omitempty"`
	// MotoGetItemMs is the median round trip of one GetItem of the keys item
	// to moto on a new connection, to read the DynamoDB cold start against.
	MotoGetItemMs float64 `json:"motoGetItemMs,omitempty"`
	// InitTrace is the Go package initialisation of each binary
	// (GODEBUG=inittrace=1): the sum over packages of each one's fastest
	// init in 10 starts, and the costliest packages.
	InitTrace []InitTrace `json:"initTrace,omitempty"`
	// Steps splits the DynamoDB cold start (cmd/coldsteps as a fresh
	// process, no emulator): median ms per step, in order.
	Steps []Step `json:"steps,omitempty"`
	// BinBytes are the sizes of the cold-start bootstraps, by variant binary.
	BinBytes map[string]int64 `json:"binBytes,omitempty"`
}

// Step is one part of the cold start.
type Step struct {
	Name string  `json:"name"`
	Ms   float64 `json:"ms"`
}

// InitTrace summarises one binary's package init.
type InitTrace struct {
	Binary  string        `json:"binary"`
	TotalMs float64       `json:"totalMs"`
	Top     []PackageInit `json:"top"`
}

// PackageInit is one package's init cost.
type PackageInit struct {
	Package string  `json:"package"`
	Ms      float64 `json:"ms"`
	Bytes   int64   `json:"bytes"`
}

// ColdVariant is one cold-start configuration.
type ColdVariant struct {
	Name     string    `json:"name"`
	Label    string    `json:"label"`
	Samples  []float64 `json:"samplesMs"`
	Median   float64   `json:"medianMs"`
	Min      float64   `json:"minMs"`
	P90      float64   `json:"p90Ms"`
	InitMs   []float64 `json:"initMs,omitempty"` // the emulator's INIT REPORT
	InitMed  float64   `json:"initMedianMs,omitempty"`
	Errors   int       `json:"errors"`
	Response string    `json:"response,omitempty"` // first verdict, trimmed
	Note     string    `json:"note,omitempty"`
}

// Footprint holds sizes and memory.
type Footprint struct {
	Packages    []Package `json:"packages"`
	RSSKiB      int       `json:"rssKiB"`
	RSSVerdicts int       `json:"rssVerdicts"`
	RSSHow      string    `json:"rssHow"`
	Note        string    `json:"note,omitempty"`
}

// Package is one function zip.
type Package struct {
	Function string `json:"function"`
	Arch     string `json:"arch"`
	ZipBytes int64  `json:"zipBytes"`
	BinBytes int64  `json:"binBytes"`
}

// Caching holds the gateway figures.
type Caching struct {
	Measured bool        `json:"measured"`
	Reason   string      `json:"reason,omitempty"`
	Calls    int         `json:"calls"`
	Cases    []CacheCase `json:"cases"`
	How      string      `json:"how,omitempty"`
}

// CacheCase is one TTL setting.
type CacheCase struct {
	TTLSeconds  int   `json:"ttlSeconds"`
	Expected    int   `json:"expected"`
	Invocations int64 `json:"invocations"`
	Status200   int   `json:"status200"`
}
