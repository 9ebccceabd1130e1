package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"slices"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// CAPEM returns the PEM of the CA that signed the serving certificate after Listen with TLS on,
// and nil before.
func (s *Server) CAPEM() []byte {
	s.caMu.Lock()
	defer s.caMu.Unlock()
	return slices.Clone(s.caPEM)
}

// Listen serves s on addr (for example "127.0.0.1:0") in the background and returns the Graph
// base URL (".../v1.0") and a function that shuts the listeners down. With tlsOn it serves HTTPS
// with a certificate from kit.GenerateCA (see CAPEM). It speaks HTTP/1.1 only, so the reset and
// truncate faults act on real TCP connections.
//
// Unless Options.DownloadOrigin is set, a second listener on the same address, another port,
// serves DownloadHandler under the other loopback name ("localhost" when Graph is on an IP
// address), with the same certificate: pre-authenticated download URLs are on another host, as
// Graph's are, so a client must not send its Authorization there.
func (s *Server) Listen(addr string, tlsOn bool) (baseURL string, stop func(context.Context) error, err error) {
	var cert *tls.Certificate
	var caPEM []byte
	if tlsOn {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return "", nil, err
		}
		pemBytes, c, err := kit.GenerateCA(host)
		if err != nil {
			return "", nil, err
		}
		caPEM, cert = pemBytes, &c
	}
	origin, stopGraph, err := kit.ServeCert(addr, cert, s, s.logger, &s.conns)
	if err != nil {
		return "", nil, err
	}
	stop = stopGraph
	if s.opts.DownloadOrigin == "" {
		u, _ := url.Parse(origin)
		dl, stopDL, err := kit.ServeCert(net.JoinHostPort(u.Hostname(), "0"), cert, s.DownloadHandler(), s.logger, &s.conns)
		if err != nil {
			_ = stopGraph(context.Background())
			return "", nil, err
		}
		du, _ := url.Parse(dl)
		other := "localhost"
		if net.ParseIP(u.Hostname()) == nil {
			other = "127.0.0.1"
		}
		s.SetDownloadOrigin(du.Scheme + "://" + net.JoinHostPort(other, du.Port()))
		stop = func(ctx context.Context) error { return errors.Join(stopDL(ctx), stopGraph(ctx)) }
	}
	s.caMu.Lock()
	s.caPEM = caPEM
	s.caMu.Unlock()
	return origin + "/v1.0", stop, nil
}
