package scripted

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// SubRequest is one request inside a batch as the fake saw it.
type SubRequest struct {
	ID, Method, URL string
	Headers         map[string]string
	Body            json.RawMessage
}

// SubResponse is the fake's answer to one sub-request.
type SubResponse struct {
	Status  int
	Headers map[string]string
	Body    string
}

// BatchFake is an in-process Graph $batch endpoint (POST /v1.0/$batch), shared by the tests of the
// Graph transport's Batch and of the bulk engine's Graph sender. Sub-requests go to Sub (default: createLink answers
// 201 the first time per URL and 200 after, /shares/.../driveItem answers with an item in drive "d"). It
// records every sub-request, shuffles response order, and can run a per-client token bucket over
// sub-requests (Bucket), fail whole batches (Outer), or hold them (Hold).
type BatchFake struct {
	*httptest.Server

	sync.Mutex // guards the counts below; tests take it to read them
	batches    int
	subs       []SubRequest
	// Created counts, per createLink URL, the times it answered 201; a test may preset an entry to
	// make an item's link exist already.
	Created map[string]int

	// Sub answers one sub-request; nil means the default behaviour above.
	Sub func(r SubRequest, attempt int) SubResponse
	// Outer, when set, may answer the whole batch (n is the 1-based batch count); it returns false to let
	// the batch through.
	Outer func(w http.ResponseWriter, r *http.Request, n int) bool
	// Bucket, when set, throttles sub-requests.
	Bucket *TokenBucket
	// Hold, when set, is waited on before each batch is answered.
	Hold chan struct{}
	// Attempts counts sub-requests per URL.
	Attempts map[string]int
}

// NewBatchFake starts a BatchFake; it stops when the test ends.
func NewBatchFake(t testing.TB) *BatchFake {
	f := &BatchFake{Created: map[string]int{}, Attempts: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// NewBatchFakeInMemory is a BatchFake without a listener: MemoryClient's requests reach it in
// memory, so a test in a testing/synctest bubble runs a client against it in virtual time (the
// bubble's clock moves only while everything in it waits, and a socket is not waiting on the
// bubble). Its Server is nil.
func NewBatchFakeInMemory() *BatchFake {
	return &BatchFake{Created: map[string]int{}, Attempts: map[string]int{}}
}

// MemoryClient is an HTTP client whose requests f answers in memory, latency after each is sent
// (timed by the time package, so virtual in a synctest bubble).
func (f *BatchFake) MemoryClient(latency time.Duration) *http.Client {
	return &http.Client{Transport: memoryTransport{f, latency}}
}

type memoryTransport struct {
	f       *BatchFake
	latency time.Duration
}

func (m memoryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if m.latency > 0 {
		t := time.NewTimer(m.latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	rec := httptest.NewRecorder()
	m.f.serve(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

func (f *BatchFake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.EscapedPath() != "/v1.0/$batch" {
		http.Error(w, "not a batch", http.StatusNotFound)
		return
	}
	f.Lock()
	f.batches++
	n := f.batches
	f.Unlock()
	if f.Hold != nil {
		<-f.Hold
	}
	if f.Outer != nil && f.Outer(w, r, n) {
		return
	}
	var in struct {
		Requests []SubRequest `json:"requests"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Requests) == 0 || len(in.Requests) > 20 {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"code":"BadRequest","message":"bad batch"}}`)
		return
	}
	type out struct {
		ID      string            `json:"id"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers,omitempty"`
		Body    json.RawMessage   `json:"body,omitempty"`
	}
	resps := make([]out, 0, len(in.Requests))
	for _, sr := range in.Requests {
		f.Lock()
		f.subs = append(f.subs, sr)
		f.Attempts[sr.URL]++
		attempt := f.Attempts[sr.URL]
		f.Unlock()
		var a SubResponse
		if f.Bucket != nil {
			if wait, ok := f.Bucket.take(); !ok {
				a = SubResponse{Status: 429, Headers: map[string]string{"Retry-After": fmt.Sprintf("%.3f", wait.Seconds())},
					Body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`}
			}
		}
		if a.Status == 0 {
			if f.Sub != nil {
				a = f.Sub(sr, attempt)
			} else {
				a = f.DefaultSub(sr)
			}
		}
		var body json.RawMessage
		if a.Body != "" {
			body = json.RawMessage(a.Body)
		}
		resps = append(resps, out{ID: sr.ID, Status: a.Status, Headers: a.Headers, Body: body})
	}
	rand.Shuffle(len(resps), func(i, j int) { resps[i], resps[j] = resps[j], resps[i] })
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"responses": resps})
}

// DefaultSub creates links idempotently, as Graph does: 201 once per item, then 200 with the same link.
func (f *BatchFake) DefaultSub(r SubRequest) SubResponse {
	switch {
	case r.Method == "POST" && strings.HasSuffix(r.URL, "/createLink"):
		f.Lock()
		defer f.Unlock()
		status := 200
		if f.Created[r.URL] == 0 {
			status = 201
		}
		if status == 201 {
			f.Created[r.URL]++
		}
		return SubResponse{Status: status, Headers: map[string]string{"Content-Type": "application/json"},
			Body: fmt.Sprintf(`{"id":"perm-%s","roles":["read"],"link":{"type":"view","webUrl":"https://l/%s"}}`, r.ID, r.ID)}
	case r.Method == "GET" && strings.HasPrefix(r.URL, "/shares/") && strings.HasSuffix(r.URL, "/driveItem"):
		tok := strings.TrimSuffix(strings.TrimPrefix(r.URL, "/shares/"), "/driveItem")
		return SubResponse{Status: 200, Body: fmt.Sprintf(`{"id":"I-%s","parentReference":{"driveId":"d"}}`, tok)}
	}
	return SubResponse{Status: 404, Body: `{"error":{"code":"itemNotFound","message":"no such item"}}`}
}

// SubRequests are every sub-request received, in order.
func (f *BatchFake) SubRequests() []SubRequest {
	f.Lock()
	defer f.Unlock()
	return append([]SubRequest(nil), f.subs...)
}

// BatchCount is how many batches were received.
func (f *BatchFake) BatchCount() int {
	f.Lock()
	defer f.Unlock()
	return f.batches
}

// TokenBucket admits rate sub-requests per second with a burst of capacity. A refused request is told
// how long until one token is there ("1/R" Retry-After), the least helpful honest answer: a client that
// just waits that long and sends everything again gets nearly all of it refused again. With Sequential
// set, refused requests are booked one 1/R slot after another and each is told its slot, so the last
// one's Retry-After covers everything refused so far.
type TokenBucket struct {
	mu         sync.Mutex
	rate       float64
	capacity   float64
	tokens     float64
	last       time.Time
	Sequential bool
	slot       time.Time
}

// NewTokenBucket is a full bucket.
func NewTokenBucket(rate, capacity float64) *TokenBucket {
	return &TokenBucket{rate: rate, capacity: capacity, tokens: capacity, last: time.Now()}
}

func (b *TokenBucket) take() (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = min(b.capacity, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	if b.Sequential {
		slot := now.Add(time.Duration((1 - b.tokens) / b.rate * float64(time.Second)))
		if next := b.slot.Add(time.Duration(float64(time.Second) / b.rate)); next.After(slot) {
			slot = next
		}
		b.slot = slot
		return b.slot.Sub(now), false
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second)), false
}
