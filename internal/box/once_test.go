package box

import (
	"context"
	"errors"
	"testing"

	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/testutil/scripted"
)

// TestOnceAnswersWithoutRetrying: Once returns a 429 or a 5xx as Box sent it, after one request, for
// the bulk engine to wait out and pace itself by.
func TestOnceAnswersWithoutRetrying(t *testing.T) {
	for _, status := range []int{429, 503, 500, 404} {
		s := scripted.New(t, reply(status, `{"type":"error","status":429,"code":"rate_limit_exceeded","message":"slow down"}`, "Retry-After", "2"))
		c, sl := newTestClient(t, s, nil)
		a, err := c.Once(context.Background(), &Request{Method: "PUT", Path: "/files/1?fields=shared_link", Body: []byte(`{"shared_link":{}}`)})
		if err != nil || a.StatusCode != status || a.Header.Get("Retry-After") != "2" || len(a.Body) == 0 {
			t.Errorf("%d: answer %+v, %v", status, a, err)
		}
		if n := len(s.Requests()); n != 1 || len(sl.Got()) != 0 {
			t.Errorf("%d: %d requests, sleeps %v; want one request and no wait", status, n, sl.Got())
		}
	}
	s := scripted.New(t, reply(200, `{"type":"file","id":"1"}`))
	c, _ := newTestClient(t, s, nil)
	if a, err := c.Once(context.Background(), &Request{Path: "/files/1"}); err != nil || a.StatusCode != 200 || string(a.Body) != `{"type":"file","id":"1"}` {
		t.Errorf("200: %+v, %v", a, err)
	}
}

// TestOnceRenewsOn401: a 401 renews the token once, as Do does; one that stays is the unauthorized
// error, never an answer, so the engine stops the run.
func TestOnceRenewsOn401(t *testing.T) {
	s := scripted.New(t, reply(401, ``, "WWW-Authenticate", `Bearer error="invalid_token"`), reply(200, `{"type":"file","id":"1"}`))
	tokens := &scripted.RefreshingTokens{}
	c, _ := newTestClient(t, s, func(o *Options) { o.Tokens = tokens })
	if a, err := c.Once(context.Background(), &Request{Path: "/files/1"}); err != nil || a.StatusCode != 200 || tokens.Refreshes() != 1 {
		t.Errorf("renewed: %+v, %v, %d refreshes", a, err, tokens.Refreshes())
	}
	s = scripted.New(t, reply(401, ``), reply(401, ``))
	c, _ = newTestClient(t, s, nil)
	a, err := c.Once(context.Background(), &Request{Path: "/files/1"})
	var be *Error
	if a != nil || !errors.As(err, &be) || !sharing.IsUnauthorized(err) {
		t.Errorf("401: %+v, %v", a, err)
	}
}
