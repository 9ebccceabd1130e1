package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// batchBodyServer answers every POST /v1.0/$batch with 200 and the body last set, so a fuzz target
// can put any $batch response in front of Client.batch over loopback.
type batchBodyServer struct {
	*httptest.Server
	mu   sync.Mutex
	body []byte
}

func newBatchBodyServer(f *testing.F) (*batchBodyServer, *Client) {
	s := &batchBodyServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		b := s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	f.Cleanup(s.Close)
	c, err := New(Options{BaseURL: s.URL + "/v1.0", HTTPClient: s.Client(), Tokens: staticTokens("tok"),
		Sleep: (&sleeps{}).Sleep})
	if err != nil {
		f.Fatal(err)
	}
	return s, c
}

func (s *batchBodyServer) answer(b []byte) {
	s.mu.Lock()
	s.body = b
	s.mu.Unlock()
}

// fuzzBatchReqs are the requests every batch fuzz target sends: ids differing in case from what a
// server may answer, since ids match ignoring case.
var fuzzBatchReqs = []BatchRequest{
	{ID: "1", Method: http.MethodPost, URL: "/drives/d/items/a/createLink", Body: json.RawMessage(`{"type":"view"}`)},
	{ID: "b", URL: "/shares/u!x/driveItem"},
	{ID: "C3", Method: http.MethodDelete, URL: "/drives/d/items/a/permissions/p"},
}

// checkBatchAnswer holds for whatever a server answered: a nil error means every request has one
// response with a valid status, in request order; a *BatchIncompleteError lists the unanswered ids and
// returns the answered ones in place; any other error is one safe line and returns nothing.
func checkBatchAnswer(t *testing.T, out []BatchResponse, err error) {
	t.Helper()
	var inc *BatchIncompleteError
	switch {
	case err == nil:
		if len(out) != len(fuzzBatchReqs) {
			t.Fatalf("%d responses for %d requests", len(out), len(fuzzBatchReqs))
		}
		for i, r := range out {
			if r.ID != fuzzBatchReqs[i].ID || r.Status < 100 || r.Status > 599 {
				t.Fatalf("response %d = id %q status %d", i, r.ID, r.Status)
			}
		}
	case errors.As(err, &inc):
		if len(inc.Missing) == 0 || len(out) != len(fuzzBatchReqs) {
			t.Fatalf("incomplete batch: missing %q, %d responses", inc.Missing, len(out))
		}
		missing := map[string]bool{}
		for _, id := range inc.Missing {
			missing[id] = true
		}
		for i, r := range out {
			id := fuzzBatchReqs[i].ID
			if missing[id] != (r.Status == 0) || (r.Status != 0 && r.ID != id) {
				t.Fatalf("incomplete batch: response %d = id %q status %d, missing %q", i, r.ID, r.Status, inc.Missing)
			}
		}
	default:
		if out != nil {
			t.Fatalf("error %v with %d responses", err, len(out))
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\r\n\x1b\x00") {
			t.Fatalf("error %q is not one safe line", msg)
		}
	}
}

// FuzzBatchResponses puts any body behind a 200 from /$batch: Client.batch never panics, and what it
// returns obeys checkBatchAnswer.
func FuzzBatchResponses(f *testing.F) {
	for _, b := range []string{
		`{"responses":[{"id":"1","status":201,"body":{"id":"p"}},{"id":"B","status":200,"body":{}},{"id":"c3","status":204}]}`,
		`{"responses":[{"id":"c3","status":429,"headers":{"Retry-After":"2"},"body":{"error":{"code":"tooManyRequests","message":"slow down"}}},{"id":"1","status":201},{"id":"b","status":404}]}`,
		`{"responses":[{"id":"1","status":201}]}`,
		`{"responses":[{"id":"1","status":201},{"id":"1","status":201}]}`,
		`{"responses":[{"id":"x\u001b[2J","status":201}]}`,
		`{"responses":[{"id":"1","status":0},{"id":"b","status":600},{"id":"C3","status":-1}]}`,
		`{"responses":[{"id":"1","status":"201"}]}`,
		`{"responses":null}`, `{"responses":{}}`, `{}`, `[]`, `null`, ``, `{"responses":[`,
		`{"responses":[{"id":"1","status":201,"body":"aGVsbG8="}],"@odata.nextLink":"x"}`,
	} {
		f.Add([]byte(b))
	}
	s, c := newBatchBodyServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.answer(body)
		out, err := c.BatchPartial(context.Background(), fuzzBatchReqs)
		checkBatchAnswer(t, out, err)
	})
}

// FuzzBatchRoundTrip answers each request with a status drawn from the input, in an order drawn from
// the input, optionally dropping one: Client.batch reads back exactly those statuses, headers and
// bodies, each matched to its own request.
func FuzzBatchRoundTrip(f *testing.F) {
	f.Add(uint16(201), uint16(404), uint16(429), uint8(0), uint8(0), "2")
	f.Add(uint16(200), uint16(200), uint16(200), uint8(5), uint8(2), "0.5")
	f.Add(uint16(503), uint16(100), uint16(599), uint8(3), uint8(1), "")
	srv, c := newBatchBodyServer(f)
	f.Fuzz(func(t *testing.T, s1, s2, s3 uint16, order, drop uint8, retryAfter string) {
		statuses := []int{int(s1)%500 + 100, int(s2)%500 + 100, int(s3)%500 + 100}
		perms := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
		var answers []map[string]any
		for _, i := range perms[int(order)%len(perms)] {
			if int(drop) == i+1 {
				continue
			}
			answers = append(answers, map[string]any{
				"id":      strings.ToUpper(fuzzBatchReqs[i].ID), // ids match ignoring case
				"status":  statuses[i],
				"headers": map[string]string{"retry-after": retryAfter},
				"body":    map[string]any{"n": i},
			})
		}
		body, err := json.Marshal(map[string]any{"responses": answers})
		if err != nil {
			t.Skip("not representable in JSON")
		}
		srv.answer(body)
		out, err := c.BatchPartial(context.Background(), fuzzBatchReqs)
		checkBatchAnswer(t, out, err)
		var inc *BatchIncompleteError
		if d := int(drop); d >= 1 && d <= 3 {
			if !errors.As(err, &inc) || len(inc.Missing) != 1 || inc.Missing[0] != fuzzBatchReqs[d-1].ID {
				t.Fatalf("dropped %q: err = %v", fuzzBatchReqs[d-1].ID, err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		for i, r := range out {
			if int(drop) == i+1 {
				continue
			}
			if r.Status != statuses[i] || r.HeaderValue("Retry-After") != asJSON(retryAfter) || string(r.Body) != fmt.Sprintf(`{"n":%d}`, i) {
				t.Fatalf("response %d = %d %q %s; want %d %q {\"n\":%d}", i, r.Status, r.HeaderValue("Retry-After"), r.Body, statuses[i], retryAfter, i)
			}
		}
	})
}
