package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a goroutine-safe stderr for run.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the emulator with args until the test ends and returns its base URL.
func start(t *testing.T, args ...string) (base string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, stderr)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("run did not stop")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading base URL: %v (stderr: %s)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	return strings.TrimSpace(line), stderr
}

func get(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer x")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestRunHTTP(t *testing.T) {
	base, stderr := start(t, "--listen", "127.0.0.1:0", "--page-size", "50", "--fault", "status=429,retry-after=1,times=1", "--verbose")
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/v1.0") {
		t.Fatalf("base URL %q", base)
	}
	if s := get(t, http.DefaultClient, base+"/me/drive"); s != 429 {
		t.Errorf("first request: %d, want the fault's 429", s)
	}
	if s := get(t, http.DefaultClient, base+"/me/drive"); s != 200 {
		t.Errorf("second request: %d", s)
	}
	if !strings.Contains(stderr.String(), "GET /v1.0/me/drive -> 200") {
		t.Errorf("verbose log: %q", stderr.String())
	}
}

func TestRunTLS(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	base, stderr := start(t, "--tls", "--ca-out", caFile)
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("base URL %q", base)
	}
	if !strings.Contains(stderr.String(), "ca: "+caFile) {
		t.Errorf("stderr %q", stderr.String())
	}
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("no certificate in --ca-out")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if s := get(t, c, base+"/me/drive"); s != 200 {
		t.Errorf("status %d", s)
	}
	// and an untrusting client fails
	if _, err := http.Get(base + "/me/drive"); err == nil {
		t.Error("TLS without the CA succeeded")
	}
}

func TestRunSeedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "seed.yaml")
	os.WriteFile(p, []byte("users: [{id: u, userPrincipalName: u@x.example}]\ndrives: [{id: d1, driveType: personal, owner: u}]\n"), 0o600)
	base, _ := start(t, "--seed", p, "--random-seed", "5")
	if s := get(t, http.DefaultClient, base+"/drives/d1"); s != 200 {
		t.Errorf("seeded drive: %d", s)
	}
}

func TestRunFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"remote", []string{"--listen", "0.0.0.0:0"}, "not a loopback"},
		{"remote name", []string{"--listen", "example.com:80"}, "not a loopback"},
		{"bad fault", []string{"--fault", "colour=red"}, "unknown key"},
		{"bad seed", []string{"--seed", "/nonexistent.yaml"}, "nonexistent"},
		{"bad page size", []string{"--page-size", "5000"}, "page size"},
		{"extra arg", []string{"serve"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errb)
			if err == nil || !strings.Contains(err.Error()+errb.String(), tt.want) {
				t.Errorf("err %v, stderr %q", err, errb.String())
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
	if err := checkLoopback("0.0.0.0:0", true); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
	for _, a := range []string{"127.0.0.1:0", "[::1]:0", "localhost:8080"} {
		if err := checkLoopback(a, false); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
}
