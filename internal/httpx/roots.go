package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// maxVerifiedHosts bounds the per-host transports of a customCA; past it (a hostile server
// redirecting to ever new hosts), requests share one transport whose pool holds both trusts.
const maxVerifiedHosts = 32

// customCA is https with a CA file (ODSHARE_CA_FILE) trusted besides the system roots. Loading the
// system roots costs more than a whole request to a local server (on Linux, crypto/x509 reads the
// bundle and then every file of /etc/ssl/certs), and a CA file is given precisely because the
// servers it is for chain to it: the emulator, a TLS-inspecting proxy. So a server's chain is
// verified against the CA file first, and against the system roots only when the CA file finds no
// chain for it.
//
// crypto/tls verifies against one pool before any callback runs, so its verification is replaced,
// never skipped: each host gets its own transport whose tls.Config names the host (VerifyConnection
// does not learn it: tls.ConnectionState.ServerName is the SNI, empty for an IP address) and whose
// VerifyConnection runs crypto/tls's own check (see verify). VerifyConnection runs on every
// connection, resumed ones included.
type customCA struct {
	roots  *x509.CertPool // the CA file's certificates
	system *x509.CertPool // nil: the system roots, which crypto/x509 loads on first use
	caPEM  []byte
	base   *http.Transport // cloned for each host

	// fallbacks counts the verifications that needed the system roots (tests).
	fallbacks atomic.Int64

	mu    sync.Mutex
	hosts map[string]*http.Transport
	union *http.Transport // built on first use: hosts beyond maxVerifiedHosts, non-ASCII names
}

func newCustomCA(caFile string, system *x509.CertPool, base *http.Transport) (*customCA, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", caFile)
	}
	return &customCA{roots: roots, system: system, caPEM: pem, base: base, hosts: map[string]*http.Transport{}}, nil
}

// transport is the transport for https to host (a URL's host name, no port).
func (c *customCA) transport(host string) *http.Transport {
	name := strings.ToLower(host)
	c.mu.Lock()
	defer c.mu.Unlock()
	if tr := c.hosts[name]; tr != nil {
		return tr
	}
	// net/http would send a non-ASCII name in its IDNA form, which this package cannot compute
	// without another dependency: such names, like hosts past the bound, get the union pool.
	if name == "" || !isASCII(name) || len(c.hosts) >= maxVerifiedHosts {
		return c.unionLocked()
	}
	tr := c.base.Clone()
	tr.TLSClientConfig = &tls.Config{
		ServerName: name,
		MinVersion: tls.VersionTLS12,
		// Replaced, not skipped: VerifyConnection below runs the same verification (verify).
		InsecureSkipVerify: true, //nolint:gosec // verified in VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			if err := c.verify(name, cs.PeerCertificates); err != nil {
				return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
			}
			return nil
		},
	}
	c.hosts[name] = tr
	return tr
}

// unionLocked is a transport with crypto/tls's own verification against one pool of the system
// roots and the CA file, as every https request had before (c.mu held).
func (c *customCA) unionLocked() *http.Transport {
	if c.union != nil {
		return c.union
	}
	var pool *x509.CertPool
	if c.system != nil {
		pool = c.system.Clone()
	} else if sys, err := x509.SystemCertPool(); err == nil && sys != nil {
		pool = sys
	} else {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(c.caPEM)
	c.union = c.base.Clone()
	c.union.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return c.union
}

// verify is crypto/tls's own check of a server's chain (x509 Certificate.Verify with the host name,
// the rest of the chain the server sent as intermediates, the server-auth key usage and the current
// time), first with the CA file as roots and then, only if that finds no chain, with the system
// roots: together the trust of one pool holding both, as a chain verifies against such a pool when
// it ends at a root of either. A leaf that is expired or not for name fails whatever the roots, so
// it does not load the system roots.
func (c *customCA) verify(name string, certs []*x509.Certificate) error {
	if len(certs) == 0 {
		return errors.New("the server sent no certificate")
	}
	opts := x509.VerifyOptions{
		DNSName:       name,
		Roots:         c.roots,
		Intermediates: x509.NewCertPool(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, ic := range certs[1:] {
		opts.Intermediates.AddCert(ic)
	}
	_, err := certs[0].Verify(opts)
	if err == nil || leafError(err, certs[0]) {
		return err
	}
	c.fallbacks.Add(1)
	opts.Roots = c.system
	_, serr := certs[0].Verify(opts)
	if serr == nil {
		return nil
	}
	// Report what went wrong with the CA file's chain unless the CA file simply does not know the
	// issuer; then the system roots' answer is the one that matters.
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		return serr
	}
	return err
}

// leafError reports whether err is about the leaf alone (crypto/x509 checks its expiry and names
// before it looks for a chain), so that no set of roots could make it verify.
func leafError(err error, leaf *x509.Certificate) bool {
	var host x509.HostnameError
	if errors.As(err, &host) {
		return true
	}
	var invalid x509.CertificateInvalidError
	return errors.As(err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert != nil && invalid.Cert.Equal(leaf)
}

func (c *customCA) closeIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tr := range c.hosts {
		tr.CloseIdleConnections()
	}
	if c.union != nil {
		c.union.CloseIdleConnections()
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
