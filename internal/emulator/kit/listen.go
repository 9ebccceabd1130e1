package kit

import (
	"context"
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
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GenerateCA makes a throw-away certificate authority and a serving certificate it signs, for
// 127.0.0.1, ::1, localhost and hosts. Clients trust caPEM (written to a file by the binary) and
// so test TLS exactly as against Graph, without disabling verification.
func GenerateCA(hosts ...string) (caPEM []byte, tlsCert tls.Certificate, err error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	serial := func() *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
		return n
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "odshare emulator CA", Organization: []string{"odshare"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"odshare"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		DNSNames:     []string{"localhost"},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(leafTmpl.IPAddresses, ip.Equal) {
				leafTmpl.IPAddresses = append(leafTmpl.IPAddresses, ip)
			}
		} else if h != "" && !slices.Contains(leafTmpl.DNSNames, h) {
			leafTmpl.DNSNames = append(leafTmpl.DNSNames, h)
		}
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey, Leaf: leaf}, nil
}

// Serve serves h on addr (for example "127.0.0.1:0") in the background and returns the origin
// ("http://127.0.0.1:PORT", or https) and a function that shuts the listener down. With tlsOn it
// serves HTTPS with a certificate from GenerateCA and returns the CA's PEM. It speaks HTTP/1.1
// only, so the reset and truncate faults act on real TCP connections. errLog (nil = discard)
// gets the server's own errors.
func Serve(addr string, tlsOn bool, h http.Handler, errLog *log.Logger) (origin string, caPEM []byte, stop func(context.Context) error, err error) {
	var cert *tls.Certificate
	if tlsOn {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return "", nil, nil, err
		}
		pemBytes, c, err := GenerateCA(host)
		if err != nil {
			return "", nil, nil, err
		}
		caPEM, cert = pemBytes, &c
	}
	origin, stop, err = ServeCert(addr, cert, h, errLog, nil)
	return origin, caPEM, stop, err
}

// ServeCert is Serve with a given serving certificate (nil = plain HTTP), so several listeners
// can share one CA.
//
// The admin surface (/_emulator/...) answers loopback clients only (AdminLoopbackOnly), even on a
// listener exposed with --allow-remote. conns, when not nil, follows the client connections.
func ServeCert(addr string, cert *tls.Certificate, h http.Handler, errLog *log.Logger, conns *Conns) (origin string, stop func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	tcpAddr, _ := ln.Addr().(*net.TCPAddr)
	host := "127.0.0.1"
	port := 0
	if tcpAddr != nil {
		port = tcpAddr.Port
		if !tcpAddr.IP.IsUnspecified() {
			host = tcpAddr.IP.String()
		}
	}
	if errLog == nil {
		errLog = log.New(io.Discard, "", 0)
	}
	srv := &http.Server{Handler: AdminLoopbackOnly(h), ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog}
	if conns != nil {
		srv.ConnState = conns.Track
	}
	scheme := "http"
	if cert != nil {
		cfg := &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errLog.Printf("emulator: serve: %v", err)
		}
	}()
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port)), srv.Shutdown, nil
}

// RequestOrigin is the origin r came to, "scheme://host": the links a stand-in answers with
// (next pages, delta links, download URLs on the request's own origin) point back at it. A request
// without a Host (HTTP/1.0) is taken to have come to localhost.
func RequestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// AdminLoopbackOnly serves h, but answers a request for the admin surface (/_emulator and below:
// recorded requests, faults, pending device codes, approving them, minting tokens) 403 unless it
// comes from a loopback address. The admin surface has no authentication of its own: it is a test
// surface for the machine the emulator runs on.
func AdminLoopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAdminPath(r.URL.Path) || isAdminPath(r.URL.EscapedPath()) {
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, `{"error":{"code":"accessDenied","message":"the emulator's admin surface (/_emulator/...) answers loopback clients only"}}`)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// isAdminPath reports whether p, cleaned, is /_emulator or below.
func isAdminPath(p string) bool {
	p = path.Clean("/" + p)
	return p == "/_emulator" || strings.HasPrefix(p, "/_emulator/")
}
