package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// maxBatch is the documented limit: "JSON batch requests are currently limited to 20 individual
// requests" [BAT].
const maxBatch = 20

// batchRequest is one member of a batch's "requests" [BAT].
type batchRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

func (b *batchRequest) hasBody() bool { return len(b.Body) > 0 && string(b.Body) != "null" }

// batchResponse is one member of the answer's "responses" [BAT].
type batchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
}

// isBatchPath reports whether an escaped path below /v1.0 is the $batch segment.
func isBatchPath(rawPath string) bool {
	p := strings.TrimSuffix(rawPath, "/")
	return strings.EqualFold(p, "/$batch") || strings.EqualFold(p, "/%24batch")
}

const wwwAuthenticate = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"`

// serveBatch answers POST /v1.0/$batch [BAT]. The envelope is checked first: a body that is not
// {"requests":[...]}, more than 20 requests, a request without id, method or url, duplicate ids
// (compared case-insensitively), a body without a Content-Type header, or dependsOn naming an
// unknown id or forming a cycle make the whole batch 400 invalidRequest ("If the batch request
// itself is malformed, the status code is 400"). Otherwise the answer is 200 whatever the inner
// statuses, with the responses in a shuffled order (Graph's "might appear in a different order";
// the shuffle comes from Options.RandomSeed), so clients must match them by id.
//
// Requests run one at a time, each after those it dependsOn, else in the order given. Each runs
// as a Graph request of its own: same bearer token as the envelope, own request-id, faults whose
// Path matches it, one throttle token, and it is recorded with Batch set to the envelope's
// request-id. A request whose dependency failed (status >= 400) is not run and answers 424
// Failed Dependency [BAT].
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request, body []byte, batchID string) {
	c := &reqCtx{w: w, r: r}
	if e := allow(c, http.MethodPost); e != nil {
		writeError(w, r, e)
		return
	}
	if e := s.authenticate(c); e != nil {
		w.Header().Set("WWW-Authenticate", wwwAuthenticate)
		writeError(w, r, e)
		return
	}
	reqs, order, e := parseBatch(body)
	if e != nil {
		writeError(w, r, e)
		return
	}
	status := map[string]int{} // lower-cased id -> status
	out := make([]batchResponse, 0, len(reqs))
	for _, i := range order {
		br := &reqs[i]
		var res batchResponse
		failed := ""
		for _, d := range br.DependsOn {
			if status[lower(d)] >= 400 {
				failed = d
				break
			}
		}
		if failed != "" {
			res = s.failedDependency(r, br, failed, status[lower(failed)])
		} else {
			res = s.runSubRequest(r, br, batchID)
		}
		status[lower(br.ID)] = res.Status
		out = append(out, res)
	}
	s.rngMu.Lock()
	s.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	s.rngMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"responses": out})
}

// parseBatch checks the envelope and returns the requests with the order to run them in.
func parseBatch(body []byte) ([]batchRequest, []int, *apiError) {
	var env struct {
		Requests []batchRequest `json:"requests"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return nil, nil, badRequest("The batch request body is not valid: " + err.Error())
	}
	if dec.More() {
		return nil, nil, badRequest("The batch request body must be a single JSON object.")
	}
	reqs := env.Requests
	switch {
	case reqs == nil:
		return nil, nil, badRequest("The batch request body needs a 'requests' array.")
	case len(reqs) == 0:
		return nil, nil, badRequest("The batch contains no requests.")
	case len(reqs) > maxBatch:
		return nil, nil, badRequest(fmt.Sprintf("The batch contains %d requests; at most %d are allowed.", len(reqs), maxBatch))
	}
	index := map[string]int{}
	for i := range reqs {
		br := &reqs[i]
		switch {
		case br.ID == "":
			return nil, nil, badRequest(fmt.Sprintf("Request %d of the batch has no id.", i+1))
		case br.Method == "":
			return nil, nil, badRequest(fmt.Sprintf("Request id : %s has no method.", br.ID))
		case br.URL == "":
			return nil, nil, badRequest(fmt.Sprintf("Request id : %s has no url.", br.ID))
		}
		if _, dup := index[lower(br.ID)]; dup {
			return nil, nil, badRequest(fmt.Sprintf("The batch contains more than one request with id '%s' (ids are compared case-insensitively).", br.ID))
		}
		index[lower(br.ID)] = i
		// "When a body is included with the request, the headers object must contain a value
		// for Content-Type" [BAT].
		if br.hasBody() && headerValue(br.Headers, "Content-Type") == "" {
			return nil, nil, badRequest(fmt.Sprintf("Write request id : %s does not contain Content-Type header or body.", br.ID))
		}
	}
	for i := range reqs {
		for _, d := range reqs[i].DependsOn {
			j, ok := index[lower(d)]
			if !ok {
				return nil, nil, badRequest(fmt.Sprintf("Request id : %s depends on '%s', which is not in the batch.", reqs[i].ID, d))
			}
			if j == i {
				return nil, nil, badRequest(fmt.Sprintf("Request id : %s depends on itself.", reqs[i].ID))
			}
		}
	}
	// A stable topological order: repeatedly the first request whose dependencies have run.
	order := make([]int, 0, len(reqs))
	done := make([]bool, len(reqs))
	for len(order) < len(reqs) {
		next := -1
		for i := range reqs {
			if done[i] {
				continue
			}
			ready := true
			for _, d := range reqs[i].DependsOn {
				if !done[index[lower(d)]] {
					ready = false
					break
				}
			}
			if ready {
				next = i
				break
			}
		}
		if next < 0 {
			return nil, nil, badRequest("The dependsOn references of the batch form a cycle.")
		}
		done[next] = true
		order = append(order, next)
	}
	return reqs, order, nil
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// failedDependency is the 424 answer of a request whose dependency failed [BAT]. It does not
// reach the service, so it is neither recorded nor throttled.
func (s *Server) failedDependency(outer *http.Request, br *batchRequest, dep string, depStatus int) batchResponse {
	bw := kit.NewBufferWriter(nil)
	bw.HeaderMap.Set("request-id", s.newUUID())
	writeError(bw, outer, errf(http.StatusFailedDependency, "failedDependency",
		fmt.Sprintf("The request depends on request '%s', which failed with status %d.", dep, depStatus)))
	return bufferedResponse(br.ID, bw)
}

// subRequestBody is the bytes a sub-request's body stands for: the JSON value itself, or, for a
// JSON string under a non-JSON Content-Type, the base64 it holds [BAT].
func subRequestBody(br *batchRequest) []byte {
	if !br.hasBody() {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(headerValue(br.Headers, "Content-Type"))
	if br.Body[0] == '"' && !strings.HasSuffix(mt, "json") {
		var str string
		if json.Unmarshal(br.Body, &str) == nil {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
				if b, err := enc.DecodeString(str); err == nil {
					return b
				}
			}
			return []byte(str)
		}
	}
	return []byte(br.Body)
}

// runSubRequest runs one request of a batch as its own Graph request and captures its answer.
func (s *Server) runSubRequest(outer *http.Request, br *batchRequest, batchID string) batchResponse {
	bw := kit.NewBufferWriter(nil)
	bw.HeaderMap.Set("request-id", s.newUUID())
	if c := headerValue(br.Headers, "client-request-id"); c != "" {
		bw.HeaderMap.Set("client-request-id", c)
	}
	reject := func(msg string) batchResponse {
		writeError(bw, outer, badRequest(msg))
		return bufferedResponse(br.ID, bw)
	}
	u := strings.TrimSpace(br.URL)
	if strings.Contains(u, "://") {
		return reject("The url of a batch request must be relative to the version root, for example /me/drive.")
	}
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	target := "/v1.0" + u
	body := subRequestBody(br)
	sub, err := http.NewRequestWithContext(outer.Context(), strings.ToUpper(br.Method), target, bytes.NewReader(body))
	if err != nil {
		return reject(fmt.Sprintf("The request id : %s is not a valid HTTP request: %v", br.ID, err))
	}
	sub.RequestURI, sub.Host, sub.TLS, sub.RemoteAddr = target, outer.Host, outer.TLS, outer.RemoteAddr
	sub.ContentLength = int64(len(body))
	for k, v := range br.Headers {
		sub.Header.Set(k, v)
	}
	// The sub-requests speak with the envelope's token.
	sub.Header.Del("Authorization")
	for _, v := range outer.Header.Values("Authorization") {
		sub.Header.Add("Authorization", v)
	}
	rawPath := strings.TrimPrefix(sub.URL.EscapedPath(), "/v1.0")
	rec := RecordedRequest{Method: sub.Method, RawURI: target, Header: sub.Header.Clone(), Body: body, Batch: batchID}
	switch {
	case isBatchPath(rawPath):
		writeError(bw, sub, badRequest("A batch can't contain a $batch request."))
	default:
		f := s.pickFault(sub.Method, rawPath, true)
		if f != nil && s.applyFault(bw, sub, f, &rec) {
			break
		}
		sub = kit.WithKeep(sub, f)
		if e := s.throttle(bw, sub); e != nil {
			writeError(bw, sub, e)
			break
		}
		s.handle(bw, sub, rawPath, body)
	}
	if bw.Status == 0 {
		bw.Status = http.StatusOK
	}
	rec.Status = bw.Status
	s.record(rec)
	s.logf("  [batch %s] %s %s -> %d", br.ID, rec.Method, rec.RawURI, rec.Status)
	return bufferedResponse(br.ID, bw)
}

// bufferedResponse turns a captured answer into a batch response: its status, its headers
// (Content-Length left out) and its body, inline when JSON, else base64.
func bufferedResponse(id string, bw *kit.BufferWriter) batchResponse {
	if bw.Status == 0 {
		bw.Status = http.StatusOK
	}
	res := batchResponse{ID: id, Status: bw.Status, Headers: map[string]string{}}
	for k, v := range bw.HeaderMap {
		if k == "Content-Length" || len(v) == 0 {
			continue
		}
		res.Headers[k] = strings.Join(v, ", ")
	}
	if b := bw.Buf.Bytes(); len(b) > 0 {
		mt, _, _ := mime.ParseMediaType(bw.HeaderMap.Get("Content-Type"))
		if strings.HasSuffix(mt, "json") && json.Valid(b) {
			res.Body = json.RawMessage(bytes.Clone(b))
		} else {
			res.Body = base64.StdEncoding.EncodeToString(b)
		}
	}
	return res
}
