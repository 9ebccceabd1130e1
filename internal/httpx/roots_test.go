package httpx

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pki makes certificates for the verification tests.
type pki struct {
	t      *testing.T
	serial int64
}

type issued struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

type certSpec struct {
	cn        string
	ca        bool
	dns       []string
	ips       []net.IP
	notBefore time.Time
	notAfter  time.Time
	eku       []x509.ExtKeyUsage
}

// issue signs spec with parent (nil: self-signed).
func (p *pki) issue(spec certSpec, parent *issued) *issued {
	p.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serial++
	if spec.notBefore.IsZero() {
		spec.notBefore = time.Now().Add(-time.Hour)
	}
	if spec.notAfter.IsZero() {
		spec.notAfter = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(p.serial),
		Subject:               pkix.Name{CommonName: spec.cn},
		NotBefore:             spec.notBefore,
		NotAfter:              spec.notAfter,
		BasicConstraintsValid: true,
		IsCA:                  spec.ca,
		DNSNames:              spec.dns,
		IPAddresses:           spec.ips,
	}
	if spec.ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = spec.eku
		if tmpl.ExtKeyUsage == nil {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		}
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		p.t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		p.t.Fatal(err)
	}
	return &issued{cert: cert, der: der, key: key}
}

var loopbackIPs = []net.IP{net.IPv4(127, 0, 0, 1)}

// serveChain starts an https server on 127.0.0.1 that presents leaf followed by chain.
func serveChain(t *testing.T, leaf *issued, chain ...*issued) string {
	t.Helper()
	c := tls.Certificate{Certificate: [][]byte{leaf.der}, PrivateKey: leaf.key}
	for _, ic := range chain {
		c.Certificate = append(c.Certificate, ic.der)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{c}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL // https://127.0.0.1:PORT
}

func writePEM(t *testing.T, certs ...*issued) string {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})...)
	}
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func get(hc *http.Client, u string) error {
	resp, err := hc.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "ok" {
		return errors.New("unexpected answer " + string(b))
	}
	return nil
}

// With a CA file, a chain to it verifies without the system roots; the system roots (here a
// test-only stand-in) verify a chain the CA file does not; and every chain crypto/tls would refuse
// against one pool of both is refused, with the same verdict as that reference client.
func TestCAFileVerification(t *testing.T) {
	p := &pki{t: t}
	corp := p.issue(certSpec{cn: "corp CA", ca: true}, nil)
	corpInter := p.issue(certSpec{cn: "corp intermediate", ca: true}, corp)
	public := p.issue(certSpec{cn: "public root", ca: true}, nil)
	publicInter := p.issue(certSpec{cn: "public intermediate", ca: true}, public)
	stranger := p.issue(certSpec{cn: "unknown CA", ca: true}, nil)
	past := time.Now().Add(-48 * time.Hour)
	expiredInter := p.issue(certSpec{cn: "expired intermediate", ca: true, notBefore: past, notAfter: past.Add(time.Hour)}, public)
	corpLeafAsIssuer := p.issue(certSpec{cn: "corp leaf", ips: loopbackIPs}, corp)
	system := x509.NewCertPool()
	system.AddCert(public.cert)
	caFile := writePEM(t, corp)

	cases := []struct {
		name     string
		leaf     *issued
		chain    []*issued
		host     string // "" = 127.0.0.1
		ok       bool
		fallback bool // the system roots were consulted
	}{
		{name: "leaf signed by the CA file", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs, dns: []string{"localhost"}}, corp), ok: true},
		{name: "same leaf by its DNS name", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs, dns: []string{"localhost"}}, corp), host: "localhost", ok: true},
		{name: "via an intermediate of the CA file", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs}, corpInter), chain: []*issued{corpInter}, ok: true},
		{name: "chain to the system roots", leaf: p.issue(certSpec{cn: "graph", ips: loopbackIPs}, publicInter), chain: []*issued{publicInter}, ok: true, fallback: true},

		{name: "CA file's leaf for another name", leaf: p.issue(certSpec{cn: "other", dns: []string{"other.example"}}, corp)},
		{name: "CA file's leaf for localhost reached by IP", leaf: p.issue(certSpec{cn: "emu", dns: []string{"localhost"}}, corp)},
		{name: "expired leaf", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs, notBefore: past, notAfter: past.Add(time.Hour)}, corp)},
		{name: "leaf not yet valid", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs, notBefore: time.Now().Add(time.Hour), notAfter: time.Now().Add(48 * time.Hour)}, corp)},
		{name: "leaf for client auth only", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, corp), fallback: true},
		{name: "unknown CA", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs}, stranger), fallback: true},
		{name: "self-signed leaf", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs}, nil), fallback: true},
		{name: "issued by a leaf of the CA file", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs}, corpLeafAsIssuer), chain: []*issued{corpLeafAsIssuer}, fallback: true},
		{name: "CA file's intermediate not sent", leaf: p.issue(certSpec{cn: "emu", ips: loopbackIPs}, corpInter), fallback: true},
		{name: "system chain, intermediate not sent", leaf: p.issue(certSpec{cn: "graph", ips: loopbackIPs}, publicInter), fallback: true},
		{name: "system chain for another name", leaf: p.issue(certSpec{cn: "graph", dns: []string{"graph.example"}}, publicInter), chain: []*issued{publicInter}},
		{name: "system chain, expired intermediate", leaf: p.issue(certSpec{cn: "graph", ips: loopbackIPs}, expiredInter), chain: []*issued{expiredInter}, fallback: true},
	}
	union := system.Clone()
	union.AddCert(corp.cert)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := serveChain(t, tc.leaf, tc.chain...)
			if tc.host != "" {
				u = strings.Replace(u, "127.0.0.1", tc.host, 1)
			}
			tr, err := NewTransport(Options{CAFile: caFile, RootCAs: system})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.CloseIdleConnections()
			err = get(&http.Client{Transport: tr, Timeout: 10 * time.Second}, u)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok {
				var verr *tls.CertificateVerificationError
				if !errors.As(err, &verr) {
					t.Errorf("err = %v, want a certificate verification error", err)
				}
			}
			if got := tr.custom.fallbacks.Load() > 0; got != tc.fallback {
				t.Errorf("system roots consulted = %v, want %v", got, tc.fallback)
			}
			// The reference: crypto/tls's own verification against one pool of both.
			ref := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: union}}}
			defer ref.CloseIdleConnections()
			if rerr := get(ref, u); (rerr == nil) != tc.ok {
				t.Errorf("reference client: err = %v, want ok=%v", rerr, tc.ok)
			}
		})
	}
}

// Without the stand-in, the fallback is the machine's own roots, which know none of these CAs.
func TestCAFileWithTheRealSystemRoots(t *testing.T) {
	p := &pki{t: t}
	corp := p.issue(certSpec{cn: "corp CA", ca: true}, nil)
	stranger := p.issue(certSpec{cn: "unknown CA", ca: true}, nil)
	caFile := writePEM(t, corp)
	good := serveChain(t, p.issue(certSpec{cn: "emu", ips: loopbackIPs}, corp))
	bad := serveChain(t, p.issue(certSpec{cn: "emu", ips: loopbackIPs}, stranger))
	tr, err := NewTransport(Options{CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	if err := get(hc, good); err != nil {
		t.Fatal(err)
	}
	if n := tr.custom.fallbacks.Load(); n != 0 {
		t.Errorf("system roots consulted %d times for a chain to the CA file", n)
	}
	var unknown x509.UnknownAuthorityError
	if err := get(hc, bad); !errors.As(err, &unknown) {
		t.Errorf("unknown CA: err = %v, want UnknownAuthorityError", err)
	}
	if n := tr.custom.fallbacks.Load(); n != 1 {
		t.Errorf("system roots consulted %d times, want 1", n)
	}
}

// Each host gets its own transport that names it, up to maxVerifiedHosts; past that (and for names
// this package cannot put in IDNA form) one transport with crypto/tls's own verification against a
// pool of both trusts.
func TestCAFileTransportPerHost(t *testing.T) {
	p := &pki{t: t}
	corp := p.issue(certSpec{cn: "corp CA", ca: true}, nil)
	tr, err := NewTransport(Options{CAFile: writePEM(t, corp)})
	if err != nil {
		t.Fatal(err)
	}
	c := tr.custom
	a, b := c.transport("Graph.Example"), c.transport("graph.example")
	if a != b || a.TLSClientConfig.ServerName != "graph.example" || a.TLSClientConfig.VerifyConnection == nil {
		t.Fatalf("per-host transport not reused or unnamed: %p %p %+v", a, b, a.TLSClientConfig)
	}
	for i := len(c.hosts); i < maxVerifiedHosts; i++ {
		c.transport("h" + strings.Repeat("x", i) + ".example")
	}
	over := c.transport("one-too-many.example")
	if over != c.union || over.TLSClientConfig.InsecureSkipVerify || over.TLSClientConfig.RootCAs == nil {
		t.Fatalf("host past the bound: %+v, want the union transport", over.TLSClientConfig)
	}
	if c.transport("bücher.example") != c.union {
		t.Error("a non-ASCII name did not get the union transport")
	}
	if len(c.hosts) != maxVerifiedHosts {
		t.Errorf("%d per-host transports, want %d", len(c.hosts), maxVerifiedHosts)
	}
	// The union pool trusts the CA file.
	leaf := p.issue(certSpec{cn: "emu", ips: loopbackIPs}, corp)
	if _, err := leaf.cert.Verify(x509.VerifyOptions{Roots: over.TLSClientConfig.RootCAs}); err != nil {
		t.Errorf("union pool: %v", err)
	}
}
