//go:build moto

package module

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// TestModuleConsumerPackages follows the README's consumer path from another
// repository. The module comes from a git source (a repository holding the
// tracked files only, so no dist/): the plan fails with an error naming the
// command that builds the packages. The packages are then built with
// `go run <module>/cmd/package@<version>`, the module served from a local
// file:// module proxy with the checksum database off, and the stack
// applies with them, converges, and is destroyed without a trace.
func TestModuleConsumerPackages(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	srv := fx.srv
	repo, commit, when := trackedCopy(t, fx.root)
	if _, err := os.Stat(filepath.Join(repo, "dist")); !os.IsNotExist(err) {
		t.Fatalf("the module's copy holds dist/ (%v)", err)
	}

	consumer := t.TempDir()
	main := `variable "name" {
  type = string
}

variable "authorizer_package" {
  type    = string
  default = null
}

variable "hello_package" {
  type    = string
  default = null
}

provider "aws" {
  region = "` + moto.Region + `"
}

module "jwt_authorizer" {
  source = "git::file://` + filepath.ToSlash(repo) + `?ref=main"

  name               = var.name
  architecture       = "` + testArch + `"
  authorizer_package = { path = var.authorizer_package }
  hello_package      = { path = var.hello_package }
  issuers = {
    okta = {
      issuer        = "https://dev-123456.okta.com/oauth2/default"
      audiences     = ["api://default"]
      user_id_claim = "uid"
    }
  }
}

output "authorizer_function_name" {
  value = module.jwt_authorizer.authorizer_function_name
}

output "hello_function_name" {
  value = module.jwt_authorizer.hello_function_name
}
`
	if err := os.WriteFile(filepath.Join(consumer, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	name := "tc-" + strings.ToLower(random.UniqueId())

	t.Run("no_packages", func(t *testing.T) {
		opts := tfmoto.OptionsFor(t, srv, consumer, map[string]any{"name": name})
		terraform.Init(t, opts)
		out, err := terraform.PlanE(t, opts)
		if err == nil {
			t.Fatal("plan without packages succeeded, want the missing-package error")
		}
		// The first missing zip stops the plan (hello's: the routes, and so
		// the authorizer's environment, wait for it).
		flat := strings.Join(strings.Fields(out), " ")
		missing := regexp.MustCompile(`The package \S+/dist/` + testArch + `/(authorizer|hello)\.zip does not exist\.`)
		if !missing.MatchString(flat) {
			t.Errorf("plan error does not name the missing package:\n%s", out)
		}
		if want := "go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/package@<version> -arch " + testArch + " -out dist"; !strings.Contains(flat, want) {
			t.Errorf("plan error does not name the build command %q:\n%s", want, out)
		}
	})

	proxy, version := writeModuleProxy(t, repo, commit, when)
	dist := t.TempDir()
	t.Run("go_run_package", func(t *testing.T) {
		cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			t.Fatal(err)
		}
		modcache := t.TempDir() // the module comes from the proxy, not from the checkout
		t.Cleanup(func() {
			cmd := exec.Command("go", "clean", "-modcache")
			cmd.Env = append(os.Environ(), "GOMODCACHE="+modcache)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("clean module cache: %v\n%s", err, out)
			}
		})
		start := time.Now()
		cmd := exec.Command("go", "run", modulePath+"/cmd/package@"+version, "-arch", testArch, "-out", dist)
		cmd.Dir = consumer // outside any module
		cmd.Env = append(os.Environ(),
			// The module from the local proxy; its dependencies and the Go
			// toolchain from the machine's module cache, in proxy layout.
			"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(strings.TrimSpace(string(cache)), "cache", "download")),
			"GOMODCACHE="+modcache,
			"GOFLAGS=-mod=mod",
			"GONOSUMDB="+modulePath,
			"GONOSUMCHECK=1",
			"GOSUMDB=off",
			"GOWORK=off",
		)
		out, err := cmd.CombinedOutput()
		t.Logf("timing: go run cmd/package@%s %s", version, time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("go run %s/cmd/package@%s: %v\n%s", modulePath, version, err, out)
		}
		// The module came through the proxy into the empty module cache.
		if _, err := os.Stat(filepath.Join(modcache, filepath.FromSlash(modulePath)+"@"+version, "cmd", "package", "main.go")); err != nil {
			t.Errorf("module %s@%s not fetched through the proxy: %v", modulePath, version, err)
		}
		for _, fn := range []string{"authorizer", "hello"} {
			if _, err := os.Stat(filepath.Join(dist, testArch, fn+".zip")); err != nil {
				t.Errorf("package %s: %v\n%s", fn, err, out)
			}
		}
	})
	if t.Failed() {
		return
	}

	t.Run("apply", func(t *testing.T) {
		zips := map[string]string{
			"authorizer": filepath.Join(dist, testArch, "authorizer.zip"),
			"hello":      filepath.Join(dist, testArch, "hello.zip"),
		}
		st := fx.apply(t, consumer, name, map[string]any{
			"name":               name,
			"authorizer_package": zips["authorizer"],
			"hello_package":      zips["hello"],
		})
		lc := lambda.NewFromConfig(fx.cfg)
		for fn, zip := range zips {
			name := st.str(t, fn+"_function_name")
			f, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &name})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := aws.ToString(f.Configuration.CodeSha256), fileSHA256(t, zip); got != want {
				t.Errorf("%s CodeSha256 = %s, want %s (the zip go run built)", name, got, want)
			}
		}
		st.destroy(t)
	})
}
