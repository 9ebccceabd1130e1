package kit

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec string
		want Fault
		err  bool
	}{
		{spec: "status=429,retry-after=1,times=2,path=/me/drive/*,method=POST",
			want: Fault{Status: 429, RetryAfter: "1", Times: 2, Path: "/me/drive/*", Method: "POST"}},
		{spec: "latency=20ms", want: Fault{Latency: 20 * time.Millisecond}},
		{spec: "reset,times=1", want: Fault{Reset: true, Times: 1}},
		{spec: "truncate", want: Fault{Truncate: true}},
		{spec: "method=DELETE,path=/drives/*,keep,times=1", want: Fault{Method: "DELETE", Path: "/drives/*", Keep: true, Times: 1}},
		{spec: "keep=false", err: true}, // does nothing
		{spec: "path=/$batch,truncate,after=1,times=1", want: Fault{Path: "/$batch", Truncate: true, After: 1, Times: 1}},
		{spec: "after=-1,status=500", err: true},
		{spec: "status=503,retry-after=0.5,p=0.25", want: Fault{Status: 503, RetryAfter: "0.5", Probability: 0.25}},
		{spec: "status=503, retry-after = Wed, 21 Oct 2015 07:28:00 GMT", err: true}, // commas split the date
		{spec: "", err: true},
		{spec: "times=2", err: true},
		{spec: "status=abc", err: true},
		{spec: "status=99", err: true},
		{spec: "latency=fast", err: true},
		{spec: "probability=2,status=500", err: true},
		{spec: "path=me,status=500", err: true},
		{spec: "path=/[,status=500", err: true},
		{spec: "colour=red", err: true},
		{spec: "status", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFault(tt.spec)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v", err)
			}
			if !tt.err && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFaultMatch(t *testing.T) {
	tests := []struct {
		f      Fault
		method string
		path   string
		want   bool
	}{
		{Fault{}, "GET", "/me/drive", true},
		{Fault{Path: "*"}, "GET", "/me/drive/root", true},
		{Fault{Method: "post"}, "POST", "/x", true},
		{Fault{Method: "POST"}, "GET", "/x", false},
		{Fault{Path: "/me/drive/items/*/createLink"}, "POST", "/me/drive/items/ABC!1/createLink", true},
		{Fault{Path: "/me/drive/items/*/createLink"}, "POST", "/me/drive/items/ABC/children", false},
		{Fault{Path: "/shares/**"}, "GET", "/shares/u!abc/driveItem/children", true},
		{Fault{Path: "/shares/**"}, "GET", "/me/drive", false},
	}
	for _, tt := range tests {
		if got := tt.f.Matches(tt.method, tt.path); got != tt.want {
			t.Errorf("%+v %s %s = %v", tt.f, tt.method, tt.path, got)
		}
	}
}

func TestFaultSetPick(t *testing.T) {
	var fs FaultSet
	fs.Add(Fault{Status: 429, Times: 1, Path: "/a"})
	fs.Add(Fault{Latency: time.Millisecond})
	fs.Add(Fault{Status: 503, Path: "/b", Probability: 0.5})
	never := func() float64 { return 0.9 }
	if f := fs.Pick("GET", "/a", false, never); f == nil || f.Status != 429 {
		t.Fatalf("first /a: %+v", f)
	}
	if f := fs.Pick("GET", "/a", false, never); f == nil || f.Latency != time.Millisecond {
		t.Fatalf("second /a: %+v (times=1 must be used up)", f)
	}
	if f := fs.Pick("GET", "/b", true, never); f != nil {
		t.Fatalf("in batch, a path rule losing its draw and a path-less rule must not apply: %+v", f)
	}
	if f := fs.Pick("GET", "/b", true, func() float64 { return 0.1 }); f == nil || f.Status != 503 {
		t.Fatalf("/b in batch: %+v", f)
	}
	if got := len(fs.List()); got != 3 {
		t.Fatalf("List: %d rules", got)
	}
	fs.Clear()
	if f := fs.Pick("GET", "/a", false, never); f != nil {
		t.Fatalf("after Clear: %+v", f)
	}
}

func TestLimiter(t *testing.T) {
	if (*Limiter)(nil) != NewLimiter(nil) {
		t.Fatal("NewLimiter(nil) must be nil")
	}
	if _, ok := NewLimiter(nil).Take("k", time.Now()); !ok {
		t.Fatal("a nil limiter must grant")
	}
	l := NewLimiter(&Throttle{RatePerSecond: 10, Burst: 2})
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2 {
		if _, ok := l.Take("k", t0); !ok {
			t.Fatalf("burst token %d refused", i)
		}
	}
	wait, ok := l.Take("k", t0)
	if ok || wait != 100*time.Millisecond {
		t.Fatalf("empty bucket: wait %v ok %v, want 100ms false", wait, ok)
	}
	if _, ok := l.Take("other", t0); !ok {
		t.Fatal("buckets must be per key")
	}
	if _, ok := l.Take("k", t0.Add(100*time.Millisecond)); !ok {
		t.Fatal("a token must be back after 1/rate")
	}
	if (&Throttle{RatePerSecond: 0}).Validate() == nil || (&Throttle{RatePerSecond: 1, Burst: -1}).Validate() == nil {
		t.Fatal("Validate accepted a bad throttle")
	}
}

// The admin surface answers loopback peers only; the rest of the API anyone the listener admits.
func TestAdminLoopbackOnly(t *testing.T) {
	h := AdminLoopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	for _, c := range []struct {
		remote, path string
		want         int
	}{
		{"127.0.0.1:5000", "/_emulator/identity/device-codes", http.StatusTeapot},
		{"[::1]:5000", "/_emulator/requests", http.StatusTeapot},
		{"192.0.2.7:5000", "/_emulator/identity/device-codes", http.StatusForbidden},
		{"192.0.2.7:5000", "/_emulator", http.StatusForbidden},
		{"192.0.2.7:5000", "/_emulator/box/tokens", http.StatusForbidden},
		{"192.0.2.7:5000", "/v1.0/../_emulator/faults", http.StatusForbidden},
		{"192.0.2.7:5000", "/%5Femulator/requests", http.StatusForbidden},
		{"[2001:db8::1]:5000", "/_emulator/identity/approve", http.StatusForbidden},
		{"192.0.2.7:5000", "/v1.0/me/drive", http.StatusTeapot},
		{"192.0.2.7:5000", "/_emulatorx", http.StatusTeapot},
	} {
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+c.path, nil)
		r.RemoteAddr = c.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s from %s: %d, want %d (%s)", c.path, c.remote, w.Code, c.want, w.Body)
		}
	}
}

// TestFaultAfter: a rule with After lets that many matching requests through, then applies Times
// times; other requests don't count.
func TestFaultAfter(t *testing.T) {
	var fs FaultSet
	fs.Add(Fault{Status: 500, Path: "/a", After: 2, Times: 1})
	always := func() float64 { return 0 }
	var got []bool
	for _, p := range []string{"/a", "/b", "/a", "/a", "/a"} {
		got = append(got, fs.Pick("GET", p, false, always) != nil)
	}
	if want := []bool{false, false, false, true, false}; !slices.Equal(got, want) {
		t.Errorf("applied %v, want %v", got, want)
	}
}
