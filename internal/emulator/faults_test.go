package emulator

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaultThrottleThenSuccess(t *testing.T) {
	e := newEnv(t, Options{Faults: []Fault{{Status: 429, RetryAfter: "2", Times: 2, Path: "/me/drive"}}})
	for i := 0; i < 2; i++ {
		r := e.get("/me/drive")
		if r.status != 429 || r.header.Get("Retry-After") != "2" || r.errCode(t) != "TooManyRequests" {
			t.Fatalf("try %d: %d %v %s", i, r.status, r.header, r.body)
		}
	}
	if r := e.get("/me/drive"); r.status != 200 {
		t.Errorf("after Times: %d", r.status)
	}
	if r := e.get("/me/drive/root"); r.status != 200 {
		t.Errorf("other path: %d", r.status)
	}
	reqs := e.srv.Requests()
	if len(reqs) != 4 || reqs[0].Status != 429 || reqs[2].Status != 200 {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestFault503AndAddClear(t *testing.T) {
	e := newEnv(t, Options{})
	e.srv.AddFault(Fault{Status: 503, RetryAfter: "0.5", Method: "POST"})
	if r := e.get("/me/drive"); r.status != 200 {
		t.Errorf("GET hit POST fault: %d", r.status)
	}
	r := e.post(personalFile+"/createLink", `{"type":"view"}`)
	if r.status != 503 || r.errCode(t) != "serviceNotAvailable" || r.header.Get("Retry-After") != "0.5" {
		t.Errorf("503: %d %s", r.status, r.body)
	}
	e.srv.ClearFaults()
	if r := e.post(personalFile+"/createLink", `{"type":"view"}`); r.status != 201 {
		t.Errorf("after clear: %d", r.status)
	}
}

func TestFaultProbability(t *testing.T) {
	e := newEnv(t, Options{RandomSeed: 3, Faults: []Fault{{Status: 500, Probability: 0.5}}})
	fails := 0
	for i := 0; i < 40; i++ {
		if e.get("/me/drive").status == 500 {
			fails++
		}
	}
	if fails == 0 || fails == 40 {
		t.Errorf("probability 0.5 failed %d of 40", fails)
	}
}

// TestFaultLatency: a latency rule delays the answer (a lower bound only: nothing here times an
// upper bound, which load on the machine would break), and times=1 uses it up, so the next request
// reaches the rule after it.
func TestFaultLatency(t *testing.T) {
	e := newEnv(t, Options{Faults: []Fault{{Latency: 60 * time.Millisecond, Times: 1}, {Status: 503, Times: 1}}})
	start := time.Now()
	if r := e.get("/me/drive"); r.status != 200 {
		t.Fatalf("%d", r.status)
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answered in %v", d)
	}
	if r := e.get("/me/drive"); r.status != 503 {
		t.Errorf("second request: %d, want the next rule's 503 (the latency rule used up)", r.status)
	}
}

func TestFaultReset(t *testing.T) {
	e := newEnv(t, Options{Faults: []Fault{{Reset: true, Times: 1}}})
	req, _ := http.NewRequest("GET", e.base+"/me/drive", nil)
	req.Header.Set("Authorization", "Bearer x")
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	_, err := client.Do(req)
	if err == nil {
		t.Fatal("reset fault: no error")
	}
	res, err := client.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("after reset: %v", err)
	}
	res.Body.Close()
	// The reset request is recorded once its handler returns, which may be after the retry's.
	if reqs := e.srv.Requests(); len(reqs) != 2 || reqs[0].Status+reqs[1].Status != 200 {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestFaultTruncate(t *testing.T) {
	e := newEnv(t, Options{Faults: []Fault{{Truncate: true, Times: 1}}})
	req, _ := http.NewRequest("GET", e.base+"/me/drive/root/children", nil)
	req.Header.Set("Authorization", "Bearer x")
	res, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || res.StatusCode != 200 || int64(len(body)) >= res.ContentLength || len(body) == 0 {
		t.Fatalf("err %v, status %d, %d of %d bytes", err, res.StatusCode, len(body), res.ContentLength)
	}
	if r := e.get("/me/drive/root/children"); r.status != 200 || !strings.HasSuffix(string(r.body), "}") {
		t.Errorf("after truncate: %d", r.status)
	}
}

// TestFaultKeep: a keep rule makes a DELETE of a permission answer 204 and remove nothing, top
// level and inside a batch; once the rule is spent the same DELETE removes the link.
func TestFaultKeep(t *testing.T) {
	e := newEnv(t, Options{Faults: []Fault{{Method: "DELETE", Path: "/me/drive/items/*/permissions/*", Keep: true, Times: 2}}})
	perm := "/me/drive/items/" + DemoReportsFolderID + "/permissions/" + DemoSharedFolderLinkID
	if r := e.do("DELETE", perm, ""); r.status != 204 {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	if r := e.get(perm); r.status != 200 {
		t.Fatalf("after a kept DELETE the link is gone: %d", r.status)
	}
	batch := `{"requests":[{"id":"1","method":"DELETE","url":"` + perm + `"}]}`
	r := e.post("/$batch", batch)
	if r.status != 200 || !strings.Contains(string(r.body), `"status":204`) {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	if r := e.get(perm); r.status != 200 {
		t.Fatalf("after a kept DELETE in a batch the link is gone: %d", r.status)
	}
	if r := e.do("DELETE", perm, ""); r.status != 204 {
		t.Fatalf("DELETE: %d", r.status)
	}
	if r := e.get(perm); r.status != 404 {
		t.Errorf("after the rule is spent the link is still there: %d", r.status)
	}
}
