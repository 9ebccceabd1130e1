package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestBatchMatchesByIDInAnyOrder(t *testing.T) {
	f := newBatchFake(t)
	f.Sub = func(r subReq, _ int) subResp {
		return subResp{Status: 200 + len(r.ID), Headers: map[string]string{"X-Echo": r.URL}, Body: fmt.Sprintf(`{"id":%q}`, r.ID)}
	}
	c, _ := batchClient(t, f, nil)
	var reqs []BatchRequest
	for i := range 20 {
		id := strings.Repeat("x", i%3+1) + fmt.Sprint(i)
		reqs = append(reqs, BatchRequest{ID: id, URL: "/me/drive/items/" + id})
	}
	reqs[0].Method, reqs[0].Body = "POST", json.RawMessage(`{"type":"view"}`)
	reqs[1].Method, reqs[1].Body, reqs[1].Headers = "PATCH", json.RawMessage(`{}`), map[string]string{"content-type": "application/merge-patch+json"}
	for round := range 5 { // the fake shuffles; a few rounds make an ordering bug show
		resps, err := c.Batch(context.Background(), reqs)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range resps {
			if r.ID != reqs[i].ID || r.Status != 200+len(reqs[i].ID) || r.HeaderValue("x-echo") != reqs[i].URL ||
				string(r.Body) != fmt.Sprintf(`{"id":%q}`, reqs[i].ID) {
				t.Fatalf("round %d: response %d = %+v for request %+v", round, i, r, reqs[i])
			}
		}
	}
	subs := f.SubRequests()[:20]
	if subs[0].Method != "POST" || subs[0].Headers["Content-Type"] != "application/json" || string(subs[0].Body) != `{"type":"view"}` {
		t.Errorf("POST sub-request = %+v", subs[0])
	}
	if len(subs[1].Headers) != 1 || subs[1].Headers["content-type"] != "application/merge-patch+json" {
		t.Errorf("a given Content-Type must be kept as is: %+v", subs[1].Headers)
	}
	if subs[2].Method != "GET" || subs[2].Headers != nil || subs[2].Body != nil {
		t.Errorf("GET sub-request = %+v", subs[2])
	}
	if reqs[0].Headers != nil {
		t.Error("Batch modified the caller's request")
	}
}

func TestBatchWireFormat(t *testing.T) {
	s := newServer(t, reply(200, `{"responses":[{"id":"b","status":204},{"id":"A","status":201,"headers":{"Retry-After":"1"},"body":{"x":1}}]}`))
	c, _ := s.client(t, nil)
	resps, err := c.Batch(context.Background(), []BatchRequest{
		{ID: "a", Method: "POST", URL: "/me/drive/root:/a%20b:/createLink", Body: json.RawMessage(`{"type":"view"}`)},
		{ID: "b", Method: "DELETE", URL: "/me/drive/items/1/permissions/p%2F1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resps[0].Status != 201 || resps[0].HeaderValue("retry-after") != "1" || string(resps[0].Body) != `{"x":1}` || resps[1].Status != 204 || resps[1].Body != nil {
		t.Errorf("responses = %+v", resps)
	}
	r := s.requests()[0]
	if r.Method != "POST" || r.RequestURI != "/v1.0/$batch" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request = %s %s %v", r.Method, r.RequestURI, r.Header)
	}
	want := `{"requests":[{"id":"a","method":"POST","url":"/me/drive/root:/a%20b:/createLink","headers":{"Content-Type":"application/json"},"body":{"type":"view"}},` +
		`{"id":"b","method":"DELETE","url":"/me/drive/items/1/permissions/p%2F1"}]}`
	if r.Body != want {
		t.Errorf("body =\n%s\nwant\n%s", r.Body, want)
	}
}

func TestBatchRejectsBadRequestsBeforeSending(t *testing.T) {
	s := newServer(t, reply(200, `{"responses":[]}`))
	c, _ := s.client(t, nil)
	many := make([]BatchRequest, 21)
	for i := range many {
		many[i] = BatchRequest{ID: fmt.Sprint(i), URL: "/me"}
	}
	cases := []struct {
		name string
		reqs []BatchRequest
		want string
	}{
		{"21 requests", many, "at most 20 requests, not 21"},
		{"duplicate id ignoring case", []BatchRequest{{ID: "a", URL: "/me"}, {ID: "A", URL: "/me"}}, `id "A" is used twice`},
		{"empty id", []BatchRequest{{URL: "/me"}}, "has no id"},
		{"absolute URL", []BatchRequest{{ID: "1", URL: "https://evil.example/me"}}, "relative to the version root"},
		{"scheme-relative URL", []BatchRequest{{ID: "1", URL: "//evil.example/me"}}, "relative to the version root"},
		{"invalid JSON body", []BatchRequest{{ID: "1", URL: "/me", Method: "POST", Body: json.RawMessage(`{`)}}, "encode batch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Batch(context.Background(), tc.reqs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	if resps, err := c.Batch(context.Background(), nil); resps != nil || err != nil {
		t.Errorf("empty batch = %v, %v", resps, err)
	}
}

func TestBatchResponseMismatch(t *testing.T) {
	reqs := []BatchRequest{{ID: "1", URL: "/a"}, {ID: "2", URL: "/b"}, {ID: "3", URL: "/c"}}
	cases := []struct {
		name, body, want string
	}{
		{"missing", `{"responses":[{"id":"3","status":200},{"id":"1","status":200}]}`, "no answer for request id(s) 2"},
		{"unknown", `{"responses":[{"id":"1","status":200},{"id":"2","status":200},{"id":"3","status":200},{"id":"4","status":200}]}`, `"4", which was not sent`},
		{"twice", `{"responses":[{"id":"1","status":200},{"id":"1","status":200}]}`, `"1" twice`},
		{"no status", `{"responses":[{"id":"1"},{"id":"2","status":200},{"id":"3","status":200}]}`, "no valid status"},
		{"not JSON", `<html>`, "decode responses"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, reply(200, tc.body))
			c, _ := s.client(t, nil)
			resps, err := c.Batch(context.Background(), reqs)
			if err == nil || resps != nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Batch = %v, %v; want error with %q", resps, err, tc.want)
			}
		})
	}
	s := newServer(t, reply(200, `{"responses":[{"id":"3","status":200}]}`))
	c, _ := s.client(t, nil)
	_, err := c.Batch(context.Background(), reqs)
	var inc *BatchIncompleteError
	if !errors.As(err, &inc) || strings.Join(inc.Missing, ",") != "1,2" {
		t.Errorf("err = %#v", err)
	}
}

func TestBatchOuterRetries(t *testing.T) {
	ok := reply(200, `{"responses":[{"id":"1","status":201}]}`)
	s := newServer(t,
		reply(424, `{"error":{"code":"FailedDependency","message":"throttled"}}`),
		reply(429, `{"error":{"code":"TooManyRequests","message":"x"}}`, "Retry-After", "1.5"),
		reply(503, ``),
		ok)
	c, sl := s.client(t, nil)
	resps, err := c.Batch(context.Background(), []BatchRequest{{ID: "1", Method: "POST", URL: "/x/createLink", Body: json.RawMessage(`{}`)}})
	if err != nil || resps[0].Status != 201 {
		t.Fatalf("Batch = %v, %v", resps, err)
	}
	waits := sl.Got()
	if len(waits) != 3 || waits[1] != 1500*time.Millisecond {
		t.Errorf("waits = %v", waits)
	}
	reqs := s.requests()
	for _, r := range reqs[1:] {
		if r.Body != reqs[0].Body {
			t.Error("batch body changed between attempts")
		}
	}
	s2 := newServer(t, reply(400, `{"error":{"code":"BadRequest","message":"Invalid batch payload format."}}`))
	c2, _ := s2.client(t, nil)
	var gerr *Error
	if _, err := c2.Batch(context.Background(), []BatchRequest{{ID: "1", URL: "/x"}}); !errors.As(err, &gerr) || gerr.Code != "BadRequest" || len(s2.requests()) != 1 {
		t.Errorf("400: %v", err)
	}
	s3 := newServer(t, reply(http.StatusAccepted, `{}`))
	c3, _ := s3.client(t, nil)
	if _, err := c3.Batch(context.Background(), []BatchRequest{{ID: "1", URL: "/x"}}); err == nil || !strings.Contains(err.Error(), "unexpected HTTP 202") {
		t.Errorf("202: %v", err)
	}
}
