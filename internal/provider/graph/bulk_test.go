package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
	"github.com/odshare/odshare/internal/testutil/scripted"
)

// collector records OnResult calls and fails the test on a concurrent or repeated call.
type collector struct {
	t       testing.TB
	mu      sync.Mutex
	busy    bool
	results map[int]bulk.Result
	order   []int
	hook    func(bulk.Result)
}

func newCollector(t testing.TB) *collector { return &collector{t: t, results: map[int]bulk.Result{}} }

func (c *collector) on(r bulk.Result) {
	c.mu.Lock()
	if c.busy {
		c.t.Error("OnResult called concurrently")
	}
	c.busy = true
	if _, dup := c.results[r.Index]; dup {
		c.t.Errorf("OnResult called twice for item %d", r.Index)
	}
	c.results[r.Index] = r
	c.order = append(c.order, r.Index)
	c.mu.Unlock()
	if c.hook != nil {
		c.hook(r)
	}
	time.Sleep(time.Microsecond) // widen the window for a concurrent call
	c.mu.Lock()
	c.busy = false
	c.mu.Unlock()
}

// check asserts one result per item, with the item's Input.
func (c *collector) check(items []BulkItem) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.results) != len(items) || len(c.order) != len(items) {
		c.t.Fatalf("%d results (%d calls) for %d items", len(c.results), len(c.order), len(items))
	}
	for i, it := range items {
		if r := c.results[i]; r.Index != i || r.Input != it.Input {
			c.t.Errorf("result %d = %+v, want Input %q", i, r, it.Input)
		}
	}
}

func idItems(n int) []BulkItem {
	items := make([]BulkItem, n)
	for i := range items {
		id := fmt.Sprintf("ID%03d", i)
		items[i] = BulkItem{Input: id, Ref: msgraph.ItemRef{Kind: msgraph.ItemByID, Value: id}}
	}
	return items
}

var viewLink = sharing.LinkSpec{Type: "view", Scope: "anonymous"}

func TestCreateLinks45ItemsThreeBatches(t *testing.T) {
	f := scripted.NewBatchFake(t)
	c, _ := batchClient(t, f, nil)
	items := idItems(45)
	// Item 7 already has a link: Graph answers 200 with it.
	f.Created["/drives/b%21x/items/ID007/createLink"] = 1
	col := newCollector(t)
	err := createLinks(c, context.Background(), msgraph.DriveRef{Kind: msgraph.DriveByID, ID: "b!x"}, items, viewLink, bulk.Options{OnResult: col.on})
	if err != nil {
		t.Fatal(err)
	}
	col.check(items)
	if n := f.BatchCount(); n != 3 {
		t.Errorf("%d batches, want 3", n)
	}
	for i, r := range col.results {
		wantStatus := 201
		if i == 7 {
			wantStatus = 200
		}
		var p api.Permission
		if r.Err != nil || r.Status != wantStatus || r.Created != (wantStatus == 201) || json.Unmarshal(r.Raw, &p) != nil || p.ID == "" {
			t.Errorf("item %d: %+v", i, r)
		}
	}
	seen := map[string]bool{}
	for _, s := range f.SubRequests() {
		if seen[s.URL] {
			t.Errorf("%s sent twice", s.URL)
		}
		seen[s.URL] = true
		if s.Method != "POST" || !strings.HasPrefix(s.URL, "/drives/b%21x/items/ID0") || !strings.HasSuffix(s.URL, "/createLink") ||
			s.Headers["Content-Type"] != "application/json" || string(s.Body) != `{"type":"view","scope":"anonymous"}` {
			t.Errorf("sub-request = %+v", s)
		}
	}
}

func TestCreateLinksRetriesThrottledSubRequests(t *testing.T) {
	f := scripted.NewBatchFake(t)
	f.Sub = func(r scripted.SubRequest, attempt int) scripted.SubResponse {
		switch {
		case strings.Contains(r.URL, "ID003") && attempt == 1:
			return scripted.SubResponse{Status: 429, Headers: map[string]string{"Retry-After": "2.128"}, Body: `{"error":{"code":"TooManyRequests","message":"x"}}`}
		case strings.Contains(r.URL, "ID004") && attempt <= 2:
			return scripted.SubResponse{Status: 503, Body: `{"error":{"code":"serviceNotAvailable","message":"x"}}`} // no Retry-After: backoff
		case strings.Contains(r.URL, "ID005") && attempt == 1:
			return scripted.SubResponse{Status: 502}
		}
		return f.DefaultSub(r)
	}
	c, sl := batchClient(t, f, nil)
	items := idItems(10)
	col := newCollector(t)
	if err := createLinks(c, context.Background(), msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col.on}); err != nil {
		t.Fatal(err)
	}
	col.check(items)
	for i, r := range col.results {
		if r.Err != nil || r.Status != 201 || !r.Created {
			t.Errorf("item %d: %+v", i, r)
		}
	}
	// Each throttled or failed item waits on its own (one isolated 429 holds no other item back):
	// the first batch, then at most one for each retry of ID003, ID004 (twice) and ID005.
	if n := f.BatchCount(); n < 2 || n > 5 {
		t.Errorf("%d batches", n)
	}
	var total time.Duration
	for _, w := range sl.Got() {
		total += w
	}
	// The engine held off for the 429's Retry-After (2.128 s) before re-sending it.
	if total < 2128*time.Millisecond {
		t.Errorf("waits %v add up to %v, want at least the Retry-After 2.128s", sl.Got(), total)
	}
	f.Lock()
	defer f.Unlock()
	if f.Attempts["/me/drive/items/ID003/createLink"] != 2 || f.Attempts["/me/drive/items/ID004/createLink"] != 3 || f.Attempts["/me/drive/items/ID000/createLink"] != 1 {
		t.Errorf("attempts = %v", f.Attempts)
	}
}

// TestCreateLinksThrottledItemGivesUpAtTheBudget: a sub-request Graph keeps throttling is retried
// for the client's retry budget (each retry counting at least a second), not MaxAttempts, then
// fails with Graph's error and the way out.
func TestCreateLinksThrottledItemGivesUpAtTheBudget(t *testing.T) {
	f := scripted.NewBatchFake(t)
	f.Sub = func(r scripted.SubRequest, attempt int) scripted.SubResponse {
		if strings.Contains(r.URL, "ID001") {
			return scripted.SubResponse{Status: 429, Headers: map[string]string{"Retry-After": "0.01"}, Body: `{"error":{"code":"TooManyRequests","message":"Too many requests"}}`}
		}
		return f.DefaultSub(r)
	}
	c, _ := batchClient(t, f, func(o *msgraph.Options) { o.RetryBudget = 3 * time.Second })
	items := idItems(3)
	col := newCollector(t)
	if err := createLinks(c, context.Background(), msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col.on, MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	col.check(items)
	r := col.results[1]
	if r.Status != 429 || r.Err == nil || r.Err.Code != "TooManyRequests" || r.Raw != nil ||
		r.Err.Message != "Too many requests; still throttled after 3 retries, which spent the 3s retry budget (raise it with --retry-budget)" {
		t.Errorf("throttled item: %+v", r.Err)
	}
	if n := f.Attempts["/me/drive/items/ID001/createLink"]; n != 4 {
		t.Errorf("attempts = %d, want 4", n)
	}
}

func TestCreateLinksPermanentFailure(t *testing.T) {
	f := scripted.NewBatchFake(t)
	f.Sub = func(r scripted.SubRequest, _ int) scripted.SubResponse {
		switch {
		case strings.Contains(r.URL, "ID002"):
			return scripted.SubResponse{Status: 404, Body: `{"error":{"code":"itemNotFound","message":"The resource could not be found.","innerError":{"request-id":"r"}}}`}
		case strings.Contains(r.URL, "ID003"):
			return scripted.SubResponse{Status: 403, Body: `"denied"`} // not Graph's error shape
		case strings.Contains(r.URL, "ID004"):
			return scripted.SubResponse{Status: 202, Body: `{}`}
		}
		return f.DefaultSub(r)
	}
	c, _ := batchClient(t, f, nil)
	items := idItems(6)
	col := newCollector(t)
	if err := createLinks(c, context.Background(), msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col.on}); err != nil {
		t.Fatal(err)
	}
	col.check(items)
	want := map[int]struct {
		status int
		code   string
		msg    string
	}{
		2: {404, "itemNotFound", "The resource could not be found."},
		3: {403, "requestFailed", "HTTP 403 Forbidden"},
		4: {202, "invalidResponse", "unexpected HTTP 202 Accepted from Graph"},
	}
	for i, r := range col.results {
		w, bad := want[i]
		switch {
		case bad && (r.Err == nil || r.Status != w.status || r.Err.Code != w.code || r.Err.Message != w.msg || r.Created || r.Raw != nil):
			t.Errorf("item %d: %+v %+v", i, r, r.Err)
		case !bad && (r.Err != nil || r.Status != 201):
			t.Errorf("item %d: %+v", i, r)
		}
	}
	if n := len(f.SubRequests()); n != 6 {
		t.Errorf("%d sub-requests: a permanent failure was retried", n)
	}
}

// TestCreateLinksOuterFailuresRetried cuts the connection mid-body, resets it and answers 500 for whole
// batches; every item still comes out exactly once, and no link is created twice.
func TestCreateLinksOuterFailuresRetried(t *testing.T) {
	f := scripted.NewBatchFake(t)
	f.Outer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch n {
		case 1: // truncated body after the sub-requests ran: the client can't know which did
			var in struct {
				Requests []scripted.SubRequest `json:"requests"`
			}
			_ = json.NewDecoder(r.Body).Decode(&in)
			for _, s := range in.Requests {
				f.DefaultSub(s)
			}
			scripted.HijackAndCut(`{"responses":[{"id":"0","status":201,"bo`)(w, r)
			return true
		case 2:
			scripted.HijackAndCut("")(w, r)
			return true
		case 3, 4:
			w.WriteHeader(500)
			return true
		}
		return false
	}
	// MaxAttempts 2: Do gives up on batches 1-2 and 3-4, so the engine itself re-queues them.
	c, sl := batchClient(t, f, func(o *msgraph.Options) { o.MaxAttempts = 2 })
	items := idItems(30)
	col := newCollector(t)
	if err := createLinks(c, context.Background(), msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col.on, Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	col.check(items)
	created, existing := 0, 0
	for i, r := range col.results {
		if r.Err != nil || (r.Status != 201 && r.Status != 200) {
			t.Errorf("item %d: %+v", i, r)
		}
		if r.Created {
			created++
		} else {
			existing++
		}
	}
	// The first batch's 20 links were made though their response was lost: re-sent, they come back 200.
	if created != 10 || existing != 20 {
		t.Errorf("created %d, existing %d; want 10 and 20", created, existing)
	}
	f.Lock()
	for u, n := range f.Created {
		if n != 1 {
			t.Errorf("%s created %d times", u, n)
		}
	}
	f.Unlock()
	if len(sl.Got()) == 0 {
		t.Error("no backoff between failed batches")
	}
}

func TestCreateLinksOuterFailureExhausted(t *testing.T) {
	f := scripted.NewBatchFake(t)
	f.Outer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.WriteHeader(500)
		fmt.Fprint(w, `{"error":{"code":"generalException","message":"boom"}}`)
		return true
	}
	c, _ := batchClient(t, f, func(o *msgraph.Options) { o.MaxAttempts = 1 })
	items := idItems(3)
	col := newCollector(t)
	if err := createLinks(c, context.Background(), msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col.on, MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	col.check(items)
	// A 500 for the whole batch may come after it ran: the outcome is unknown, and says why.
	for i, r := range col.results {
		if r.Status != 500 || r.Err == nil || r.Err.Code != bulk.OutcomeUnknown || !strings.Contains(r.Err.Message, "sent 2 times without a usable answer (generalException: boom)") {
			t.Errorf("item %d: %+v %+v", i, r, r.Err)
		}
	}
	if n := f.BatchCount(); n != 2 {
		t.Errorf("%d batches, want 2", n)
	}
	// A 403 for the whole batch is final at once.
	f2 := scripted.NewBatchFake(t)
	f2.Outer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.WriteHeader(403)
		fmt.Fprint(w, `{"error":{"code":"accessDenied","message":"no"}}`)
		return true
	}
	c2, _ := batchClient(t, f2, nil)
	col2 := newCollector(t)
	if err := createLinks(c2, context.Background(), msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col2.on}); err != nil {
		t.Fatal(err)
	}
	col2.check(items)
	if n := f2.BatchCount(); n != 1 || col2.results[0].Err.Code != "accessDenied" || col2.results[0].Status != 403 {
		t.Errorf("%d batches, result %+v", n, col2.results[0])
	}
}

func TestCreateLinksIncompleteBatchResendsOnlyTheMissing(t *testing.T) {
	f := scripted.NewBatchFake(t)
	f.Outer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n != 1 {
			return false
		}
		fmt.Fprint(w, `{"responses":[{"id":"1","status":201,"body":{"id":"p1"}}]}`)
		return true
	}
	c, _ := batchClient(t, f, nil)
	items := idItems(3)
	col := newCollector(t)
	if err := createLinks(c, context.Background(), msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col.on}); err != nil {
		t.Fatal(err)
	}
	col.check(items)
	if r := col.results[1]; string(r.Raw) != `{"id":"p1"}` || !r.Created {
		t.Errorf("answered item: %+v", r)
	}
	subs := f.SubRequests()
	if len(subs) != 2 || subs[0].ID == "1" || subs[1].ID == "1" {
		t.Errorf("re-sent %+v", subs)
	}
}

func TestCreateLinksMixedInputs(t *testing.T) {
	link := "https://contoso.sharepoint.com/:w:/g/EaBc?e=1"
	tok := msgraph.EncodeSharingURL(link)
	f := scripted.NewBatchFake(t)
	f.Sub = func(r scripted.SubRequest, _ int) scripted.SubResponse {
		switch r.URL {
		case "/shares/" + tok + "/driveItem":
			return scripted.SubResponse{Status: 200, Body: `{"id":"ITEM1","parentReference":{"driveId":"b!drv"}}`}
		case "/shares/s!remote/driveItem":
			return scripted.SubResponse{Status: 200, Body: `{"id":"LOCAL","remoteItem":{"id":"REMOTE","parentReference":{"driveId":"d2"}}}`}
		case "/shares/u!Z29uZQ/driveItem":
			return scripted.SubResponse{Status: 404, Body: `{"error":{"code":"itemNotFound","message":"gone"}}`}
		case "/shares/s!noaddr/driveItem":
			return scripted.SubResponse{Status: 200, Body: `{"id":"X"}`}
		}
		return f.DefaultSub(r)
	}
	c, _ := batchClient(t, f, nil)
	var items []BulkItem
	for _, arg := range []string{"/Q3 #1 100%.xlsx", link, "01AB!2", "s!remote", "u!Z29uZQ==", "/", "s!noaddr"} {
		ref, err := msgraph.ParseItemRef(arg)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, BulkItem{Input: arg, Ref: ref})
	}
	col := newCollector(t)
	drive := msgraph.DriveRef{Kind: msgraph.DriveOfSite, ID: "contoso.sharepoint.com,1,2"}
	if err := createLinks(c, context.Background(), drive, items, viewLink, bulk.Options{OnResult: col.on}); err != nil {
		t.Fatal(err)
	}
	col.check(items)
	for _, i := range []int{0, 1, 2, 3, 5} {
		if r := col.results[i]; r.Err != nil || r.Status != 201 {
			t.Errorf("item %d (%s): %+v %+v", i, items[i].Input, r, r.Err)
		}
	}
	if r := col.results[4]; r.Status != 404 || r.Err == nil || r.Err.Code != "itemNotFound" || r.Err.Message != "resolve share: gone" {
		t.Errorf("unresolvable share: %+v %+v", r, r.Err)
	}
	if r := col.results[6]; r.Status != 200 || r.Err == nil || r.Err.Code != "invalidResponse" {
		t.Errorf("share without address: %+v %+v", r, r.Err)
	}
	var got []string
	for _, s := range f.SubRequests() {
		got = append(got, s.Method+" "+s.URL)
	}
	want := map[string]bool{
		"POST /sites/contoso.sharepoint.com%2C1%2C2/drive/root:/Q3%20%231%20100%25.xlsx:/createLink": true,
		"GET /shares/" + tok + "/driveItem":                                          true,
		"POST /drives/b%21drv/items/ITEM1/createLink":                                true,
		"POST /sites/contoso.sharepoint.com%2C1%2C2/drive/items/01AB%212/createLink": true,
		"GET /shares/s!remote/driveItem":                                             true,
		"POST /drives/d2/items/REMOTE/createLink":                                    true,
		"GET /shares/u!Z29uZQ/driveItem":                                             true,
		"POST /sites/contoso.sharepoint.com%2C1%2C2/drive/root/createLink":           true,
		"GET /shares/s!noaddr/driveItem":                                             true,
	}
	if len(got) != len(want) {
		t.Errorf("sub-requests:\n%s", strings.Join(got, "\n"))
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("unexpected sub-request %s", g)
		}
	}
	if n := f.BatchCount(); n != 2 {
		t.Errorf("%d batches; want 2 (lookups with the direct items, then the resolved createLinks)", n)
	}
}

func TestCreateLinksCancel(t *testing.T) {
	f := scripted.NewBatchFake(t)
	f.Hold = make(chan struct{})
	c, _ := batchClient(t, f, nil)
	items := idItems(100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	col := newCollector(t)
	released := false
	col.hook = func(bulk.Result) {
		if !released {
			released = true
			cancel() // the first result arrives: cancel while other batches are held or queued
		}
	}
	go func() {
		// Let exactly one batch through, once both workers' batches have reached Graph: under
		// load the second worker may otherwise not have sent its batch before the cancel.
		for f.BatchCount() < 2 {
			time.Sleep(time.Millisecond)
		}
		f.Hold <- struct{}{}
	}()
	err := createLinks(c, ctx, msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col.on, Concurrency: 2, BatchSize: 10})
	close(f.Hold)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	col.check(items)
	// The other worker's batch was on its way when the run was cancelled: its items may exist.
	ok, unknown, cancelled := 0, 0, 0
	for i, r := range col.results {
		switch {
		case r.Err == nil && r.Status == 201:
			ok++
		case r.Err != nil && r.Err.Code == bulk.OutcomeUnknown && r.Status == 0:
			unknown++
		case r.Err != nil && r.Err.Code == bulk.Cancelled && r.Status == 0:
			cancelled++
		default:
			t.Errorf("item %d: %+v", i, r)
		}
	}
	if ok != 10 || unknown != 10 || cancelled != 80 {
		t.Errorf("%d done, %d outcome unknown, %d cancelled", ok, unknown, cancelled)
	}
}

func TestCreateLinksInvalid(t *testing.T) {
	f := scripted.NewBatchFake(t)
	c, _ := batchClient(t, f, nil)
	called := false
	on := func(bulk.Result) { called = true }
	cases := []struct {
		name  string
		drive msgraph.DriveRef
		items []BulkItem
		o     bulk.Options
		want  string
	}{
		{"batch size", msgraph.DriveRef{}, idItems(1), bulk.Options{BatchSize: 21}, "invalid bulk options"},
		{"negative", msgraph.DriveRef{}, idItems(1), bulk.Options{Concurrency: -1}, "invalid bulk options"},
		{"empty ref", msgraph.DriveRef{}, []BulkItem{{Input: ""}}, bulk.Options{}, "bulk item 0: empty item reference"},
		{"bad token", msgraph.DriveRef{}, []BulkItem{{Ref: msgraph.ItemRef{Kind: msgraph.ItemByShareID, Value: "s!a/b"}}}, bulk.Options{}, "bulk item 0: share token"},
		{"drive without id", msgraph.DriveRef{Kind: msgraph.DriveByID}, idItems(1), bulk.Options{}, "drive reference has no id"},
	}
	for _, tc := range cases {
		tc.o.OnResult = on
		if err := createLinks(c, context.Background(), tc.drive, tc.items, viewLink, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := createLinks(c, context.Background(), msgraph.DriveRef{}, nil, viewLink, bulk.Options{OnResult: on}); err != nil {
		t.Errorf("no items: %v", err)
	}
	if called || f.BatchCount() != 0 {
		t.Error("invalid input reached OnResult or Graph")
	}
}

// TestCreateLinksPacedByTokenBucket runs 200 items through the Graph sender (its $batch requests and
// answers, Graph's client and its retries) against a token bucket of 100 sub-requests a second, for
// both ways a throttle may word Retry-After: the time until one token ("1/R"), or, with Sequential,
// each refused request booked a slot of its own. It runs in a testing/synctest bubble — the bucket,
// the 20 ms latency of each request and every wait of the engine in virtual time — so it measures the
// run, not the machine's load. The bound is (N − B)/R; the run must stay within 1.25× of it (a few
// round trips of start-up are already 5–10% of a run this short: 1 to 1.13× here) and lose no item.
func TestCreateLinksPacedByTokenBucket(t *testing.T) {
	for _, sequential := range []bool{false, true} {
		t.Run(fmt.Sprintf("sequential=%v", sequential), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := scripted.NewBatchFakeInMemory()
				burst := 20.0
				f.Bucket = scripted.NewTokenBucket(100, burst)
				if sequential {
					// A throttle that books refused requests in turn only makes sense with room to
					// keep its word: with a burst of 20 it would tell 60 refused callers to come
					// back when 20 can pass.
					burst = 100
					f.Bucket = scripted.NewTokenBucket(100, burst)
					f.Bucket.Sequential = true
				}
				c, err := msgraph.New(msgraph.Options{BaseURL: "http://127.0.0.1:1/v1.0", HTTPClient: f.MemoryClient(20 * time.Millisecond),
					Tokens: scripted.StaticTokens("tok")})
				if err != nil {
					t.Fatal(err)
				}
				items := idItems(200)
				// Not newCollector: its sleep while the engine holds its result lock would leave
				// the other workers waiting on a mutex, which stops the bubble's clock.
				results := map[int]bulk.Result{}
				start := time.Now()
				err = createLinks(c, context.Background(), msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: func(r bulk.Result) {
					if _, dup := results[r.Index]; dup {
						t.Errorf("item %d reported twice", r.Index)
					}
					results[r.Index] = r
				}})
				if err != nil {
					t.Fatal(err)
				}
				elapsed := time.Since(start)
				for i := range items {
					if r, ok := results[i]; !ok || r.Err != nil || r.Status != 201 || r.Input != items[i].Input {
						t.Errorf("item %d: %+v %+v", i, r, r.Err)
					}
				}
				bound := time.Duration((200 - burst) / 100 * float64(time.Second))
				t.Logf("%v (%.2f× the bound %v), %d sub-requests in %d batches for %d items", elapsed, elapsed.Seconds()/bound.Seconds(), bound,
					len(f.SubRequests()), f.BatchCount(), len(items))
				if elapsed < bound || elapsed > bound*5/4 {
					t.Errorf("took %v; want between the bound %v and 1.25× it", elapsed, bound)
				}
			})
		})
	}
}
