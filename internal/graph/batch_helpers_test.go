package graph

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

// subReq is one request inside a batch as the fake saw it.
type subReq struct {
	ID, Method, URL string
	Headers         map[string]string
	Body            json.RawMessage
}

// subResp is the fake's answer to one sub-request.
type subResp struct {
	Status  int
	Headers map[string]string
	Body    string
}

// batchFake is an in-process Graph $batch endpoint. Sub-requests go to sub (default: createLink answers
// 201 the first time per URL and 200 after, /shares/.../driveItem answers with an item in drive "d"). It
// records every sub-request, shuffles response order, and can run a per-client token bucket over
// sub-requests, fail whole batches (outer), or drop responses.
type batchFake struct {
	*httptest.Server

	mu      sync.Mutex
	batches int
	subs    []subReq
	created map[string]int // createLink URL -> times it answered 201

	// sub answers one sub-request; nil means the default behaviour above.
	sub func(r subReq, attempt int) subResp
	// outer, when set, may answer the whole batch (n is the 1-based batch count); it returns false to let
	// the batch through.
	outer func(w http.ResponseWriter, r *http.Request, n int) bool
	// bucket, when set, throttles sub-requests.
	bucket *tokenBucket
	// hold, when set, is waited on before each batch is answered.
	hold chan struct{}
	// attempts counts sub-requests per URL.
	attempts map[string]int
}

func newBatchFake(t testing.TB) *batchFake {
	f := &batchFake{created: map[string]int{}, attempts: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *batchFake) client(t testing.TB, mod func(*Options)) (*Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	o := Options{BaseURL: f.URL + "/v1.0", HTTPClient: f.Server.Client(), Tokens: staticTokens("tok"), Sleep: sl.Sleep}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

func (f *batchFake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.EscapedPath() != "/v1.0/$batch" {
		http.Error(w, "not a batch", http.StatusNotFound)
		return
	}
	f.mu.Lock()
	f.batches++
	n := f.batches
	f.mu.Unlock()
	if f.hold != nil {
		<-f.hold
	}
	if f.outer != nil && f.outer(w, r, n) {
		return
	}
	var in struct {
		Requests []subReq `json:"requests"`
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
		f.mu.Lock()
		f.subs = append(f.subs, sr)
		f.attempts[sr.URL]++
		attempt := f.attempts[sr.URL]
		f.mu.Unlock()
		var a subResp
		if f.bucket != nil {
			if wait, ok := f.bucket.take(); !ok {
				a = subResp{Status: 429, Headers: map[string]string{"Retry-After": fmt.Sprintf("%.3f", wait.Seconds())},
					Body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`}
			}
		}
		if a.Status == 0 {
			if f.sub != nil {
				a = f.sub(sr, attempt)
			} else {
				a = f.defaultSub(sr)
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

// defaultSub creates links idempotently, as Graph does: 201 once per item, then 200 with the same link.
func (f *batchFake) defaultSub(r subReq) subResp {
	switch {
	case r.Method == "POST" && strings.HasSuffix(r.URL, "/createLink"):
		f.mu.Lock()
		defer f.mu.Unlock()
		status := 200
		if f.created[r.URL] == 0 {
			status = 201
		}
		if status == 201 {
			f.created[r.URL]++
		}
		return subResp{Status: status, Headers: map[string]string{"Content-Type": "application/json"},
			Body: fmt.Sprintf(`{"id":"perm-%s","roles":["read"],"link":{"type":"view","webUrl":"https://l/%s"}}`, r.ID, r.ID)}
	case r.Method == "GET" && strings.HasPrefix(r.URL, "/shares/") && strings.HasSuffix(r.URL, "/driveItem"):
		tok := strings.TrimSuffix(strings.TrimPrefix(r.URL, "/shares/"), "/driveItem")
		return subResp{Status: 200, Body: fmt.Sprintf(`{"id":"I-%s","parentReference":{"driveId":"d"}}`, tok)}
	}
	return subResp{Status: 404, Body: `{"error":{"code":"itemNotFound","message":"no such item"}}`}
}

func (f *batchFake) subRequests() []subReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]subReq(nil), f.subs...)
}

func (f *batchFake) batchCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.batches
}

// tokenBucket admits rate sub-requests per second with a burst of capacity. A refused request is told
// how long until one token is there ("1/R" Retry-After), the least helpful honest answer: a client that
// just waits that long and sends everything again gets nearly all of it refused again. With sequential
// set, refused requests are booked one 1/R slot after another and each is told its slot, so the last
// one's Retry-After covers everything refused so far.
type tokenBucket struct {
	mu         sync.Mutex
	rate       float64
	capacity   float64
	tokens     float64
	last       time.Time
	sequential bool
	slot       time.Time
}

func newTokenBucket(rate, capacity float64) *tokenBucket {
	return &tokenBucket{rate: rate, capacity: capacity, tokens: capacity, last: time.Now()}
}

func (b *tokenBucket) take() (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = min(b.capacity, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	if b.sequential {
		b.slot = later(now.Add(time.Duration((1-b.tokens)/b.rate*float64(time.Second))), b.slot.Add(time.Duration(float64(time.Second)/b.rate)))
		return b.slot.Sub(now), false
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second)), false
}
