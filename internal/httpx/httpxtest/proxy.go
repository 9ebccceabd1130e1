// Package httpxtest has the hostile servers the transport tests share: a forward proxy on loopback
// that records whatever it is sent.
package httpxtest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Proxy is a hostile forward proxy on 127.0.0.1: it records every request it is sent (a plain-http
// request with its Authorization header and body, an https one as its CONNECT line) and answers
// 502, so nothing sent through it ever reaches its target.
type Proxy struct {
	ln   net.Listener
	mu   sync.Mutex
	seen []string
}

// StartProxy starts a Proxy; Close stops it.
func StartProxy() (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln}
	go p.serve()
	return p, nil
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			req, err := http.ReadRequest(bufio.NewReader(c))
			if err != nil {
				return
			}
			body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
			p.mu.Lock()
			p.seen = append(p.seen, req.Method+" "+req.RequestURI+" Authorization="+req.Header.Get("Authorization")+" body="+string(body))
			p.mu.Unlock()
			_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		}()
	}
}

// Close stops the listener.
func (p *Proxy) Close() error { return p.ln.Close() }

// URL is the proxy's address as HTTP_PROXY would give it.
func (p *Proxy) URL() *url.URL { return &url.URL{Scheme: "http", Host: p.ln.Addr().String()} }

// Requests returns what the proxy was sent, one line per request.
func (p *Proxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// Always proxies every request, like HTTP_PROXY with a NO_PROXY that does not match the host
// (NO_PROXY=localhost,127.0.0.1 does not match "localhost.").
func (p *Proxy) Always(*http.Request) (*url.URL, error) { return p.URL(), nil }

// OffLoopback proxies every request except those to a loopback IP literal or "localhost", like
// HTTP_PROXY with NO_PROXY=localhost,127.0.0.1,::1.
func (p *Proxy) OffLoopback(r *http.Request) (*url.URL, error) {
	h := r.URL.Hostname()
	if ip := net.ParseIP(h); (ip != nil && ip.IsLoopback()) || h == "localhost" {
		return nil, nil
	}
	return p.URL(), nil
}
