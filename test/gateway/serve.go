package gateway

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// ErrPackage: no local package matches what is deployed.
var ErrPackage = errors.New("local package does not match the deployed function")

// Options configure New.
type Options struct {
	// AWS is the SDK configuration bound to moto (region, endpoint, credentials).
	AWS aws.Config
	// Endpoint is moto's URL, given to the functions as AWS_ENDPOINT_URL.
	Endpoint  string
	RestAPIID string
	Stage     string
	// Packages is the folder with the function zips (dist/<arch>, or dist:
	// then dist/<host arch> is searched too). Each deployed function runs the
	// zip whose base64 SHA-256 equals its CodeSha256.
	Packages string
	// Zips maps a function name to its zip, overriding the search; its hash
	// must still equal the deployed CodeSha256.
	Zips map[string]string
	// Emulator is the aws-lambda-rie binary (default: rie.Find).
	Emulator string
	// Instances is the number of concurrent instances per function (default 1).
	Instances int
	// WorkDir receives the unzipped packages (default: a temporary folder removed by Close).
	WorkDir string
	// FunctionLog receives the functions' stdout/stderr; AccessLog one line per request.
	FunctionLog, AccessLog io.Writer
	// Credentials given to the functions (default testing/testing).
	AccessKeyID, SecretAccessKey string
	// IgnorePermissions skips the functions' resource policy check.
	IgnorePermissions bool
	// Snapshots are the deployments recorded by a SnapshotProxy the apply
	// went through: the stage is served as its deployment was created. Nil,
	// or no snapshot of the stage's deployment: moto's current definition,
	// said once in AccessLog.
	Snapshots *Snapshots
}

// Local is a gateway with the functions it runs.
type Local struct {
	*Gateway
	functions map[string]*rie.Function // by function name
}

// New loads the API stage from moto, checks and unpacks each function's
// package and returns the gateway, ready to serve; functions start on first use.
func New(ctx context.Context, o Options) (*Local, error) {
	api, err := LoadStage(ctx, o.AWS, o.RestAPIID, o.Stage, o.Snapshots)
	if err != nil {
		return nil, err
	}
	if !api.FromSnapshot && o.AccessLog != nil {
		fmt.Fprintf(o.AccessLog, "no snapshot of deployment %s (stage %s): serving moto's current resources, which API Gateway would serve only after a redeployment (record deployments by applying through gateway.SnapshotProxy)\n", api.DeploymentID, api.Stage)
	}
	if o.Emulator == "" {
		if o.Emulator, err = rie.Find(); err != nil {
			return nil, err
		}
	}
	zips, err := indexZips(o.Packages)
	if err != nil {
		return nil, err
	}
	work, cleanup := o.WorkDir, func() {}
	if work == "" {
		if work, err = os.MkdirTemp("", "gateway-"); err != nil {
			return nil, fmt.Errorf("create work folder: %w", err)
		}
		cleanup = func() { os.RemoveAll(work) }
	}
	l := &Local{functions: map[string]*rie.Function{}}
	invokers := map[string]Invoker{}
	closeAll := func() {
		for _, f := range l.functions {
			f.Close()
		}
		cleanup()
	}
	arns := make([]string, 0, len(api.Functions))
	for arn := range api.Functions {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		fn := api.Functions[arn]
		fn.Unchecked = o.IgnorePermissions
		if f, ok := l.functions[fn.Name]; ok {
			invokers[arn] = f
			continue
		}
		f, err := prepare(fn, o, zips, work, api.Region)
		if err != nil {
			closeAll()
			return nil, err
		}
		l.functions[fn.Name] = f
		invokers[arn] = f
	}
	g, err := NewFromModel(api, invokers, o.AccessLog)
	if err != nil {
		closeAll()
		return nil, err
	}
	g.closers = append(g.closers, closeAll)
	l.Gateway = g
	return l, nil
}

// Function returns the running function of that name (nil if not served).
func (l *Local) Function(name string) *rie.Function { return l.functions[name] }

// Functions returns the names of the served functions.
func (l *Local) Functions() []string {
	names := make([]string, 0, len(l.functions))
	for n := range l.functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AuthorizerFunction returns the function behind the first CUSTOM authorizer.
func (l *Local) AuthorizerFunction() *rie.Function {
	ids := make([]string, 0, len(l.api.Authorizers))
	for id := range l.api.Authorizers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if fn := l.api.Functions[l.api.Authorizers[id].FunctionARN]; fn != nil {
			return l.functions[fn.Name]
		}
	}
	return nil
}

// Restart starts a new process (a cold start) for every instance of the named function.
func (l *Local) Restart(name string) error {
	f := l.functions[name]
	if f == nil {
		return fmt.Errorf("restart %s: not served", name)
	}
	f.Restart()
	return nil
}

// reservedEnv are keys Lambda sets itself and refuses in a function's configuration.
var reservedEnv = map[string]bool{
	"AWS_REGION": true, "AWS_DEFAULT_REGION": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true,
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true, "AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true, "_HANDLER": true,
}

func prepare(fn *Function, o Options, zips map[string]string, work, region string) (*rie.Function, error) {
	switch fn.Runtime {
	case "provided.al2023", "provided.al2", "provided":
	default:
		return nil, fmt.Errorf("function %s: runtime %q (only OS-only runtimes run a bootstrap): %w", fn.Name, fn.Runtime, ErrUnsupported)
	}
	if fn.PackageType != "" && fn.PackageType != "Zip" {
		return nil, fmt.Errorf("function %s: package type %s: %w", fn.Name, fn.PackageType, ErrUnsupported)
	}
	if host := rie.HostArchitecture(); fn.Architecture != host {
		return nil, fmt.Errorf("function %s is deployed for %s but this machine runs %s: deploy with architecture %s for local runs: %w", fn.Name, fn.Architecture, host, host, ErrPackage)
	}
	zipPath := o.Zips[fn.Name]
	if zipPath != "" {
		sum, err := zipSha(zipPath)
		if err != nil {
			return nil, err
		}
		if sum != fn.CodeSha256 {
			return nil, fmt.Errorf("function %s: refusing to run %s: its SHA-256 %s differs from the deployed CodeSha256 %s: %w", fn.Name, zipPath, sum, fn.CodeSha256, ErrPackage)
		}
	} else if zipPath = zips[fn.CodeSha256]; zipPath == "" {
		have := make([]string, 0, len(zips))
		for sum, p := range zips {
			have = append(have, filepath.Base(p)+"="+sum)
		}
		sort.Strings(have)
		return nil, fmt.Errorf("function %s: refusing to run: no zip in %s has the deployed CodeSha256 %s (have %s); rebuild the packages and apply again: %w",
			fn.Name, o.Packages, fn.CodeSha256, strings.Join(have, ", "), ErrPackage)
	}
	dir := filepath.Join(work, fn.Name)
	if err := unzip(zipPath, dir); err != nil {
		return nil, fmt.Errorf("function %s: %w", fn.Name, err)
	}
	key, secret := o.AccessKeyID, o.SecretAccessKey
	if key == "" {
		key, secret = "testing", "testing"
	}
	env := map[string]string{
		"AWS_REGION": region, "AWS_DEFAULT_REGION": region,
		"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_EXECUTION_ENV": "AWS_Lambda_" + fn.Runtime,
	}
	if o.Endpoint != "" {
		env["AWS_ENDPOINT_URL"] = o.Endpoint
	}
	for k, v := range fn.Env {
		if !reservedEnv[k] {
			env[k] = v
		}
	}
	n := o.Instances
	if n < 1 {
		n = 1
	}
	return rie.New(rie.Config{
		Name: fn.Name, Emulator: o.Emulator, Bootstrap: filepath.Join(dir, "bootstrap"), Dir: dir,
		Env: env, Timeout: fn.Timeout, MemoryMB: fn.MemoryMB, Log: o.FunctionLog,
	}, n)
}

// indexZips maps base64 SHA-256 → path for every zip in dir and dir/<host arch>.
func indexZips(dir string) (map[string]string, error) {
	out := map[string]string{}
	if dir == "" {
		return out, nil
	}
	for _, d := range []string{dir, filepath.Join(dir, rie.HostArchitecture())} {
		matches, _ := filepath.Glob(filepath.Join(d, "*.zip"))
		for _, m := range matches {
			sum, err := zipSha(m)
			if err != nil {
				return nil, err
			}
			out[sum] = m
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("find packages: no .zip in %s or %s (build them: go run ./cmd/package -arch %s -out dist): %w",
			dir, filepath.Join(dir, rie.HostArchitecture()), rie.HostArchitecture(), ErrPackage)
	}
	return out, nil
}

// zipSha is the base64 SHA-256 of a file, Lambda's CodeSha256.
func zipSha(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash package: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash package %s: %w", path, err)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

func unzip(path, dir string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("open package: %w", err)
	}
	defer zr.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("unzip: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("unzip: %w", err)
	}
	defer root.Close()
	for _, f := range zr.File {
		name := filepath.FromSlash(f.Name)
		if f.FileInfo().IsDir() {
			if err := root.MkdirAll(name, 0o755); err != nil {
				return fmt.Errorf("unzip %s: %w", f.Name, err)
			}
			continue
		}
		if d := filepath.Dir(name); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("unzip %s: %w", f.Name, err)
			}
		}
		if err := extract(root, f, name); err != nil {
			return err
		}
	}
	return nil
}

func extract(root *os.Root, f *zip.File, name string) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("unzip %s: %w", f.Name, err)
	}
	defer rc.Close()
	mode := f.Mode().Perm()
	if mode == 0 {
		mode = 0o644
	}
	w, err := root.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode|0o400)
	if err != nil {
		return fmt.Errorf("unzip %s: %w", f.Name, err)
	}
	if _, err := io.Copy(w, rc); err != nil {
		w.Close()
		return fmt.Errorf("unzip %s: %w", f.Name, err)
	}
	return w.Close()
}
