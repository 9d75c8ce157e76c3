# terraform-aws-jwt-authorizer — every task of the project, one target each.
#   make demo   the whole path locally: cmd/local up on examples/cognito (moto + terraform + local gateway + real Lambda binaries)
#   make test   every test CI runs (unit, moto integration, Terraform checks, e2e)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(CURDIR)
BIN         := $(ROOT)/bin
BUILD       := $(ROOT)/build
DIST        := $(ROOT)/dist
# Lambda architecture of `make package`; local runs use the host's so the deployed
# CodeSha256 is the zip that runs under the RIE.
ARCH        ?= arm64
HOST_ARCH   := $(if $(filter arm64,$(shell go env GOARCH)),arm64,x86_64)
MOTO_PORT   ?= 5000
MOTO_ENDPOINT ?= http://127.0.0.1:$(MOTO_PORT)
FUZZTIME    ?= 10s

# go.mod's toolchain line (a patched Go release) applies even where the machine's
# go.env says GOTOOLCHAIN=local; a newer local Go is used as it is.
export GOTOOLCHAIN ?= auto
export TF_CLI_CONFIG_FILE := $(BUILD)/terraform.rc
export TF_IN_AUTOMATION   := 1
export PATH               := $(BIN):$(PATH)
export MOTO_ENDPOINT

GO_PKGS_FUNCTIONS := ./functions/... ./cmd/...

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# Always run: the script rewrites the file only when TF_PROVIDER_MIRROR (or the
# image's mirror) changed, and says which mirror is used.
.PHONY: terraformrc
terraformrc: ## write the Terraform CLI config (TF_PROVIDER_MIRROR, else /opt/tf-plugins, else the registry)
	@.ci/terraformrc $(TF_CLI_CONFIG_FILE)

.PHONY: package
package: ## build dist/$(ARCH)/{authorizer,hello}.zip (ARCH=arm64|x86_64)
	go run ./cmd/package -arch $(ARCH) -out $(DIST)

.PHONY: package-local
package-local: ## build the packages for this machine's architecture (what local runs deploy)
	go run ./cmd/package -arch $(HOST_ARCH) -out $(DIST)

# The release assets (.github/workflows/release.yml attaches them to a tag's
# release): both architectures' zips, deterministic (the bytes of
# `go run …/cmd/package@<tag>` with GOTOOLCHAIN=auto), under the flat names a
# GitHub release holds, <function>-<arch>.zip, and SHA256SUMS over them, so
# `sha256sum -c SHA256SUMS` checks a download (and `cd dist/release` here).
.PHONY: release
release: ## build dist/release/{authorizer,hello}-{arm64,x86_64}.zip and dist/release/SHA256SUMS
	rm -rf $(DIST)/release
	go run ./cmd/package -arch arm64 -out $(DIST)/release
	go run ./cmd/package -arch x86_64 -out $(DIST)/release
	cd $(DIST)/release && for z in */*.zip; do mv "$$z" "$$(basename "$$z" .zip)-$${z%%/*}.zip"; done && rmdir arm64 x86_64
	cd $(DIST)/release && sha256sum *.zip > SHA256SUMS
	@cat $(DIST)/release/SHA256SUMS

# The stamp makes `make tools` (and every target that needs the tools) a no-op
# once bin/ holds the versions pinned in tools/go.mod; a change there rebuilds.
TOOLS_STAMP := $(BIN)/.tools-$(shell cat tools/go.mod tools/go.sum | sha256sum | cut -c1-16)

$(TOOLS_STAMP): tools/go.mod tools/go.sum
	@mkdir -p $(BIN)
	@echo "tools: building the pinned tools into bin/ (tflint, terraform-docs, tfsec, staticcheck, govulncheck, RIE, actionlint); ~10 min the first time"
	cd tools && GOBIN=$(BIN) go install tool
	@rm -f $(BIN)/.tools-* && touch $@

.PHONY: tools
tools: $(TOOLS_STAMP) ## build the pinned development tools into bin/ once (tflint, terraform-docs, tfsec, RIE, …)

.PHONY: moto
moto: ## start a moto server on MOTO_PORT unless one answers there
	@.ci/moto-start $(MOTO_PORT)

.PHONY: fmt
fmt: ## format Go and Terraform sources
	gofmt -w $$(git ls-files '*.go')
	terraform fmt -recursive

.PHONY: vet
vet: ## gofmt check, go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1; }
	go vet ./...

.PHONY: unit
unit: ## Go unit tests and moto integration tests (race detector on the functions)
	go test -race -count=1 $(GO_PKGS_FUNCTIONS)
	go test -count=1 -timeout 15m ./test/...

.PHONY: terraform-checks
terraform-checks: terraformrc tools ## fmt, validate, tflint, terraform-docs freshness, tfsec (root, modules, examples)
	.ci/terraform-checks

.PHONY: module-test
module-test: terraformrc tools ## Terratest on moto: every example applied, read back, plan clean, destroyed; IAM audits; consumer packages; the authorizer fleet and the gateway's CORS on moto
	go test -tags moto -count=1 -timeout 45m -run 'TestModule|TestIAM' -v ./test/module/
	go test -tags moto -count=1 -timeout 15m ./functions/authorizer/
	go test -tags moto -count=1 -timeout 15m -run 'OnMoto' ./test/gateway/

.PHONY: e2e
e2e: terraformrc tools ## the whole path: Terratest apply on moto + local gateway + real binaries under the RIE (E2E_TARGET=aws for real AWS)
	go test -tags e2e -count=1 -timeout 30m -run 'TestE2E' -v ./test/e2e/

.PHONY: test-provider6
test-provider6: moto tools ## opt-in: module tests + e2e against hashicorp/aws 6.47.1 (built into build/provider6 once); table in docs/providers.md
	.ci/provider6

.PHONY: lint-workflows
lint-workflows: tools ## actionlint on .github/workflows (shellcheck on their scripts where it is installed)
	actionlint -no-color

.PHONY: static
static: tools ## staticcheck, govulncheck, tfsec
	.ci/static

.PHONY: fuzz-smoke
fuzz-smoke: ## run every fuzz target briefly (FUZZTIME=10s)
	.ci/fuzz $(FUZZTIME)

.PHONY: fuzz
fuzz: ## run every fuzz target long enough for >= 10 million executions each
	.ci/fuzz --long

.PHONY: bench-smoke
bench-smoke: tools ## check that every benchmark harness gives correct verdicts (no timings)
	.ci/bench --smoke

.PHONY: bench
bench: package-local tools ## reproduce every figure of docs/benchmarks.md (and the chart)
	.ci/bench

.PHONY: demo
demo: terraformrc ## the whole path locally: cmd/local up on examples/cognito (moto, terraform, gateway, real binaries), a demo user, the sign-in page; Ctrl-C tears down
	.ci/demo

# The sign-in page in a real browser: Debian's chromium driven by playwright-core
# (web/package-lock.json). A missing browser is installed when it can be (root,
# apt-get); otherwise the target fails: it never skips (.ci/browser-test).
CHROMIUM ?= /usr/bin/chromium

.PHONY: browser-test
browser-test: terraformrc moto ## the sign-in page in headless Chromium (CHROMIUM=path): demo, sign-in, three calls, a refused origin; screenshot in build/web
	CHROMIUM="$(CHROMIUM)" BIN="$(BIN)" .ci/browser-test

.PHONY: test
test: moto terraformrc tools lint-workflows vet unit fuzz-smoke terraform-checks static module-test e2e bench-smoke browser-test ## every test CI runs
	@echo "make test: all green"
