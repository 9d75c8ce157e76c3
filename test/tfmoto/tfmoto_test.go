package tfmoto

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestOverride(t *testing.T) {
	text := Override("http://127.0.0.1:5000", "/tmp/x/terraform.tfstate")
	for _, want := range append([]string{
		`skip_credentials_validation = true`,
		`skip_metadata_api_check     = true`,
		`skip_requesting_account_id  = false`,
		`access_key                  = "testing"`,
		`region                      = "us-east-1"`,
		`path = "/tmp/x/terraform.tfstate"`,
	}, Services...) {
		if !strings.Contains(text, want) {
			t.Errorf("override lacks %q:\n%s", want, text)
		}
	}
	for _, s := range Services {
		if !strings.Contains(text, s+strings.Repeat(" ", 11-len(s))+`= "http://127.0.0.1:5000"`) {
			t.Errorf("endpoint %s not routed to moto:\n%s", s, text)
		}
	}
	if strings.Contains(Override("http://e", ""), "backend") {
		t.Error("backend written without a state path")
	}
}

// TestOverrideVia: a service of via goes to its endpoint, the others to moto.
func TestOverrideVia(t *testing.T) {
	text := OverrideVia("http://127.0.0.1:5000", Endpoints{"apigateway": "http://127.0.0.1:6000"}, "")
	for _, s := range Services {
		want := "http://127.0.0.1:5000"
		if s == "apigateway" {
			want = "http://127.0.0.1:6000"
		}
		if !strings.Contains(text, s+strings.Repeat(" ", 11-len(s))+`= "`+want+`"`) {
			t.Errorf("endpoint %s not routed to %s:\n%s", s, want, text)
		}
	}
}

// TestOverrideFormatted keeps the generated file terraform-fmt clean, so
// `terraform fmt -check -recursive` passes while a test is running.
func TestOverrideFormatted(t *testing.T) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("terraform not on PATH: the tests need it (see the README's prerequisites)")
	}
	dir := t.TempDir()
	p, err := WriteOverride(dir, "http://127.0.0.1:5000", filepath.Join(dir, "s.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tf, "fmt", "-check", "-diff", p)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}
}
