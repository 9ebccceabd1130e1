package emulator

import (
	"context"
	"crypto/tls"
	"slices"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// GenerateCA makes a throw-away certificate authority and a serving certificate it signs (see
// kit.GenerateCA).
func GenerateCA(hosts ...string) (caPEM []byte, tlsCert tls.Certificate, err error) {
	return kit.GenerateCA(hosts...)
}

// CAPEM returns the PEM of the CA that signed the serving certificate after Listen with TLS on,
// and nil before.
func (s *Server) CAPEM() []byte {
	s.caMu.Lock()
	defer s.caMu.Unlock()
	return slices.Clone(s.caPEM)
}

// Listen serves s on addr (for example "127.0.0.1:0") in the background and returns the Graph
// base URL (".../v1.0") and a function that shuts the listener down. With tlsOn it serves HTTPS
// with a certificate from GenerateCA (see CAPEM). It speaks HTTP/1.1 only, so the reset and
// truncate faults act on real TCP connections.
func (s *Server) Listen(addr string, tlsOn bool) (baseURL string, stop func(context.Context) error, err error) {
	origin, caPEM, stop, err := kit.Serve(addr, tlsOn, s, s.logger)
	if err != nil {
		return "", nil, err
	}
	s.caMu.Lock()
	s.caPEM = caPEM
	s.caMu.Unlock()
	return origin + "/v1.0", stop, nil
}
