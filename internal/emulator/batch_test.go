package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

type batchAnswer struct {
	Responses []struct {
		ID      string            `json:"id"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"responses"`
}

func (e *testEnv) batch(body string) (resp, batchAnswer) {
	e.t.Helper()
	r := e.post("/$batch", body)
	var a batchAnswer
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &a); err != nil {
			e.t.Fatalf("batch answer: %v\n%s", err, r.body)
		}
	}
	return r, a
}

// createLinkBatch is n createLink requests on the files of the Archive folder.
func createLinkBatch(n int, mutate func(i int, m map[string]any)) string {
	var reqs []map[string]any
	for i := 1; i <= n; i++ {
		m := map[string]any{
			"id":      fmt.Sprint(i),
			"method":  "POST",
			"url":     fmt.Sprintf("/me/drive/root:/Reports/Archive/report-%03d.csv:/createLink", i),
			"headers": map[string]string{"Content-Type": "application/json"},
			"body":    map[string]any{"type": "view", "scope": "anonymous"},
		}
		if mutate != nil {
			mutate(i, m)
		}
		reqs = append(reqs, m)
	}
	b, _ := json.Marshal(map[string]any{"requests": reqs})
	return string(b)
}

func TestBatchCreateLinks(t *testing.T) {
	e := newEnv(t, Options{})
	r, a := e.batch(createLinkBatch(20, func(i int, m map[string]any) {
		if i%2 == 0 { // the leading slash is optional
			m["url"] = strings.TrimPrefix(m["url"].(string), "/")
		}
	}))
	if r.status != 200 || len(a.Responses) != 20 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	var order []string
	links := map[string]bool{}
	for _, res := range a.Responses {
		order = append(order, res.ID)
		if res.Status != 201 || !strings.HasPrefix(res.Headers["Content-Type"], "application/json") {
			t.Fatalf("response %s: %d %v %s", res.ID, res.Status, res.Headers, res.Body)
		}
		var p struct {
			Link struct{ WebURL string } `json:"link"`
		}
		if err := json.Unmarshal(res.Body, &p); err != nil || p.Link.WebURL == "" {
			t.Fatalf("response %s body: %s", res.ID, res.Body)
		}
		links[p.Link.WebURL] = true
	}
	var asSent []string
	for i := 1; i <= 20; i++ {
		asSent = append(asSent, fmt.Sprint(i))
	}
	if slices.Equal(order, asSent) {
		t.Errorf("responses came back in request order %v; want them shuffled", order)
	}
	if len(links) != 20 {
		t.Errorf("%d distinct links", len(links))
	}
	// Recorded: the envelope as it arrived, then its 20 sub-requests tied to it.
	rec := e.srv.Requests()
	if len(rec) != 21 || rec[0].RawURI != "/v1.0/$batch" || rec[0].Batch != "" || rec[0].Status != 200 {
		t.Fatalf("recorded %d; first %+v", len(rec), rec[0])
	}
	batchID := r.header.Get("request-id")
	for i, rr := range rec[1:] {
		want := fmt.Sprintf("/v1.0/me/drive/root:/Reports/Archive/report-%03d.csv:/createLink", i+1)
		if rr.Batch != batchID || rr.Method != "POST" || rr.RawURI != want || rr.Status != 201 {
			t.Errorf("recorded %d: %+v", i, rr)
		}
	}
	st := e.srv.Stats()
	if st.CreateLink.Created != 20 || st.CreateLink.Existing != 0 || st.Requests != 21 || st.Batches != 1 {
		t.Errorf("stats %+v", st)
	}
	// The same batch again finds the links: 200 each, counted as existing.
	_, a = e.batch(createLinkBatch(20, nil))
	for _, res := range a.Responses {
		if res.Status != 200 {
			t.Errorf("again %s: %d", res.ID, res.Status)
		}
	}
	if st := e.srv.Stats(); st.CreateLink.Created != 20 || st.CreateLink.Existing != 20 {
		t.Errorf("stats after repeat %+v", st)
	}
}

func TestBatchMalformed(t *testing.T) {
	e := newEnv(t, Options{})
	get := func(id string) map[string]any { return map[string]any{"id": id, "method": "GET", "url": "/me/drive"} }
	enc := func(reqs ...map[string]any) string {
		b, _ := json.Marshal(map[string]any{"requests": reqs})
		return string(b)
	}
	var many []map[string]any
	for i := range 21 {
		many = append(many, get(fmt.Sprint(i)))
	}
	noCT := get("1")
	noCT["method"], noCT["body"] = "POST", map[string]any{"type": "view"}
	wrongHeaders := get("1")
	wrongHeaders["method"], wrongHeaders["body"], wrongHeaders["headers"] = "POST", map[string]any{}, map[string]string{"Accept": "application/json"}
	unknownDep := get("2")
	unknownDep["dependsOn"] = []string{"9"}
	cycA, cycB := get("a"), get("b")
	cycA["dependsOn"], cycB["dependsOn"] = []string{"b"}, []string{"a"}
	for _, tt := range []struct{ name, body string }{
		{"21 requests", enc(many...)},
		{"not JSON", `{"requests": [`},
		{"no requests", `{}`},
		{"empty", `{"requests": []}`},
		{"duplicate ids", enc(get("A1"), get("a1"))},
		{"missing id", enc(map[string]any{"method": "GET", "url": "/me"})},
		{"missing method", enc(map[string]any{"id": "1", "url": "/me"})},
		{"missing url", enc(map[string]any{"id": "1", "method": "GET"})},
		{"numeric id", `{"requests":[{"id":1,"method":"GET","url":"/me"}]}`},
		{"body without headers", enc(noCT)},
		{"body without Content-Type", enc(wrongHeaders)},
		{"unknown dependency", enc(get("1"), unknownDep)},
		{"cycle", enc(cycA, cycB)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := e.batch(tt.body)
			if r.status != 400 || r.errCode(t) != "invalidRequest" {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
	if st := e.srv.Stats(); st.Requests != st.Batches {
		t.Errorf("a rejected batch ran sub-requests: %+v", st)
	}
	if r := e.get("/$batch"); r.status != 405 || r.header.Get("Allow") != "POST" {
		t.Errorf("GET $batch: %d %v", r.status, r.header)
	}
	if r := e.do("POST", "/$batch", enc(get("1")), "Authorization", ""); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
}

func TestBatchDependsOn(t *testing.T) {
	e := newEnv(t, Options{})
	body := `{"requests":[
		{"id":"3","method":"GET","url":"/me/drive/root:/Reports/Summary.pdf:/permissions","dependsOn":["2"]},
		{"id":"1","method":"POST","url":"/me/drive/root:/Reports/Summary.pdf:/createLink","headers":{"content-type":"application/json"},"body":{"type":"edit"}},
		{"id":"2","method":"POST","url":"/me/drive/root:/Nope.txt:/createLink","headers":{"Content-Type":"application/json"},"body":{"type":"view"},"dependsOn":["1"]},
		{"id":"4","method":"GET","url":"me/drive","dependsOn":["1"]},
		{"id":"5","method":"GET","url":"/me/drive/root:/Reports:/children?$top=2"}
	]}`
	r, a := e.batch(body)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	got := map[string]int{}
	for _, res := range a.Responses {
		got[res.ID] = res.Status
		if res.ID == "3" && !strings.Contains(string(res.Body), "failedDependency") {
			t.Errorf("424 body: %s", res.Body)
		}
		if res.ID == "5" && !strings.Contains(string(res.Body), "/v1.0/me/drive/root:/Reports:/children?$top=2&$skiptoken=") {
			t.Errorf("nextLink of a sub-request: %s", res.Body)
		}
	}
	want := map[string]int{"1": 201, "2": 404, "3": 424, "4": 200, "5": 200}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("request %s: %d, want %d", id, got[id], st)
		}
	}
	// Run in dependency order; the 424 one never ran, so it isn't recorded.
	var uris []string
	for _, rr := range e.srv.Requests() {
		if rr.Batch != "" {
			uris = append(uris, rr.Method+" "+rr.RawURI)
		}
	}
	wantURIs := []string{
		"POST /v1.0/me/drive/root:/Reports/Summary.pdf:/createLink",
		"POST /v1.0/me/drive/root:/Nope.txt:/createLink",
		"GET /v1.0/me/drive",
		"GET /v1.0/me/drive/root:/Reports:/children?$top=2",
	}
	if !slices.Equal(uris, wantURIs) {
		t.Errorf("ran %q", uris)
	}
}

func TestBatchFaults(t *testing.T) {
	e := newEnv(t, Options{})
	// A fault with a path glob hits one sub-request; its Retry-After is in that response's headers.
	e.srv.AddFault(Fault{Path: "/me/drive/root:/Reports/Archive/report-003.csv:/createLink", Status: 429, RetryAfter: "2.128", Times: 1})
	r, a := e.batch(createLinkBatch(5, nil))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, res := range a.Responses {
		switch {
		case res.ID == "3" && (res.Status != 429 || res.Headers["Retry-After"] != "2.128" || !strings.Contains(string(res.Body), "TooManyRequests")):
			t.Errorf("faulted sub-request: %d %v %s", res.Status, res.Headers, res.Body)
		case res.ID != "3" && res.Status != 201:
			t.Errorf("sub-request %s: %d", res.ID, res.Status)
		}
	}
	if st := e.srv.Stats(); st.CreateLink.Created != 4 {
		t.Errorf("created %d", st.CreateLink.Created)
	}
	// A fault on /$batch answers the envelope; nothing inside runs.
	e.srv.AddFault(Fault{Path: "/$batch", Status: 503, RetryAfter: "1", Times: 1})
	if r, _ := e.batch(createLinkBatch(2, nil)); r.status != 503 || r.header.Get("Retry-After") != "1" {
		t.Errorf("envelope fault: %d %v", r.status, r.header)
	}
	// A rule without a path acts on HTTP requests only: the envelope, not each sub-request.
	e.srv.AddFault(Fault{Status: 500, Times: 1})
	if r, _ := e.batch(createLinkBatch(2, nil)); r.status != 500 {
		t.Errorf("path-less fault: %d", r.status)
	}
	if r, a := e.batch(createLinkBatch(2, nil)); r.status != 200 || len(a.Responses) != 2 {
		t.Errorf("after the faults: %d %s", r.status, r.body)
	}
	// truncate on the envelope: the client sees a short body
	e.srv.AddFault(Fault{Path: "/$batch", Truncate: true, Times: 1})
	req := strings.NewReader(createLinkBatch(1, nil))
	res, err := e.ts.Client().Post(e.base+"/$batch", "application/json", req)
	if err == nil {
		err = json.NewDecoder(res.Body).Decode(&struct{}{})
		res.Body.Close()
	}
	if err == nil {
		t.Error("truncated batch decoded")
	}
}

func TestBatchSubRequestErrors(t *testing.T) {
	e := newEnv(t, Options{})
	r, a := e.batch(`{"requests":[
		{"id":"abs","method":"GET","url":"https://graph.microsoft.com/v1.0/me"},
		{"id":"nested","method":"POST","url":"/$batch","headers":{"Content-Type":"application/json"},"body":{"requests":[]}},
		{"id":"405","method":"PUT","url":"/me/drive/root:/Reports:/permissions"},
		{"id":"del","method":"DELETE","url":"/me/drive/items/` + DemoReportsFolderID + `/permissions/` + DemoInvitationPermissionID + `"}
	]}`)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, res := range a.Responses {
		want := map[string]int{"abs": 400, "nested": 400, "405": 405, "del": 204}[res.ID]
		if res.Status != want {
			t.Errorf("%s: %d, want %d: %s", res.ID, res.Status, want, res.Body)
		}
		if res.ID == "del" && len(res.Body) != 0 {
			t.Errorf("204 with a body: %s", res.Body)
		}
	}
}
