package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// MaxBatchRequests is the most requests one JSON batch may hold [BAT].
const MaxBatchRequests = 20

// BatchRequest is one request inside a JSON batch [BAT].
type BatchRequest struct {
	// ID identifies the request in the batch; ids must be unique, ignoring case [BAT].
	ID string
	// Method is the HTTP method; empty means GET.
	Method string
	// URL is the already-escaped path relative to the version root, e.g.
	// "/me/drive/root:/a%20b:/createLink", possibly with "?query".
	URL string
	// Headers are the request's headers. Batch adds Content-Type: application/json when there is a
	// body and none is given, since Graph requires one with every body [BAT].
	Headers map[string]string
	// Body is the JSON body, or nil for none.
	Body json.RawMessage
}

// BatchResponse is one response from a JSON batch, matched to its request by ID.
type BatchResponse struct {
	// ID is the request's id.
	ID string
	// Status is the request's own HTTP status; the batch's is 200 whatever these are [BAT].
	Status int
	// Headers are the response's headers (Retry-After on a throttled request [BAT]); read them with
	// HeaderValue, since their case is Graph's.
	Headers map[string]string
	// Body is the response body as Graph sent it: JSON, or a base64 string for binary content.
	Body json.RawMessage
}

// HeaderValue returns the header named key, ignoring case, or "".
func (r BatchResponse) HeaderValue(key string) string {
	if v, ok := r.Headers[key]; ok {
		return v
	}
	for k, v := range r.Headers {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

type batchRequestJSON struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

type batchResponseJSON struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// Batch sends up to MaxBatchRequests requests in one POST /$batch [BAT] and returns their responses in
// the order of reqs, matched by id (Graph answers in any order).
//
// The requests are checked first: at most 20, non-empty ids unique ignoring case (a duplicate fails the
// whole batch with 400 [BAT]), relative URLs. The batch itself goes through Do, so it is retried on 429,
// 5xx and dropped connections; a 424 for the whole batch, which [THR] describes for throttled batches
// although [BAT] says a parseable batch is always 200 (notes §6), is retried the same way. Requests inside
// the batch are never retried here: each one's status is the caller's to judge. A batch whose responses
// don't cover every id exactly once is an error, since the missing request may or may not have run.
func (c *Client) Batch(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, error) {
	out, err := c.BatchPartial(ctx, reqs)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// BatchPartial is Batch, except that with a *BatchIncompleteError it also returns the responses it
// did get (Status 0 for the missing ones), so the bulk engine need not re-send requests that were
// answered.
func (c *Client) BatchPartial(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	if len(reqs) > MaxBatchRequests {
		return nil, fmt.Errorf("graph: a batch holds at most %d requests, not %d", MaxBatchRequests, len(reqs))
	}
	index := make(map[string]int, len(reqs))
	wire := make([]batchRequestJSON, len(reqs))
	for i, r := range reqs {
		if r.ID == "" {
			return nil, fmt.Errorf("graph: batch request %d has no id", i)
		}
		key := strings.ToLower(r.ID)
		if _, dup := index[key]; dup {
			return nil, fmt.Errorf("graph: batch request id %q is used twice", r.ID)
		}
		index[key] = i
		if !strings.HasPrefix(r.URL, "/") || strings.HasPrefix(r.URL, "//") {
			return nil, fmt.Errorf("graph: batch request %q: URL %q must be a path relative to the version root", r.ID, r.URL)
		}
		method := r.Method
		if method == "" {
			method = http.MethodGet
		}
		hdr := r.Headers
		if len(r.Body) > 0 && !hasHeader(hdr, "Content-Type") {
			hdr = make(map[string]string, len(r.Headers)+1)
			for k, v := range r.Headers {
				hdr[k] = v
			}
			hdr["Content-Type"] = "application/json"
		}
		wire[i] = batchRequestJSON{ID: r.ID, Method: method, URL: r.URL, Headers: hdr, Body: r.Body}
	}
	body, err := json.Marshal(struct {
		Requests []batchRequestJSON `json:"requests"`
	}{wire})
	if err != nil {
		return nil, fmt.Errorf("graph: encode batch: %w", err)
	}
	resp, err := c.do(ctx, &Request{Method: http.MethodPost, Path: "/$batch", Body: body},
		func(status int) bool { return status == http.StatusFailedDependency })
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, unexpectedStatus("batch", resp)
	}
	var page struct {
		Responses []batchResponseJSON `json:"responses"`
	}
	if err := json.Unmarshal(resp.Body, &page); err != nil {
		return nil, fmt.Errorf("batch: decode responses: %w", err)
	}
	out := make([]BatchResponse, len(reqs))
	got := make([]bool, len(reqs))
	for _, r := range page.Responses {
		i, ok := index[strings.ToLower(r.ID)]
		if !ok {
			return nil, fmt.Errorf("batch: Graph answered request id %q, which was not sent", sanitize(r.ID))
		}
		if got[i] {
			return nil, fmt.Errorf("batch: Graph answered request id %q twice", sanitize(r.ID))
		}
		if r.Status < 100 || r.Status > 599 {
			return nil, fmt.Errorf("batch: Graph's response to request id %q has no valid status", sanitize(r.ID))
		}
		got[i] = true
		out[i] = BatchResponse{ID: reqs[i].ID, Status: r.Status, Headers: r.Headers, Body: r.Body}
	}
	var missing []string
	for i, ok := range got {
		if !ok {
			missing = append(missing, reqs[i].ID)
		}
	}
	if len(missing) > 0 {
		return out, &BatchIncompleteError{Missing: missing}
	}
	return out, nil
}

// BatchIncompleteError is a batch response that left requests unanswered. Those requests may or may not
// have run on Graph.
type BatchIncompleteError struct {
	// Missing are the ids without a response, in request order.
	Missing []string
}

func (e *BatchIncompleteError) Error() string {
	return fmt.Sprintf("batch: Graph's response has no answer for request id(s) %s", sanitize(strings.Join(e.Missing, ", ")))
}

func hasHeader(h map[string]string, key string) bool {
	for k := range h {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// ErrorOf returns Graph's error code and message from a sub-response body, or "" when the body isn't
// Graph's error shape.
func ErrorOf(body json.RawMessage) (code, message string) {
	var er struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if len(body) == 0 || json.Unmarshal(body, &er) != nil || er.Error == nil {
		return "", ""
	}
	return sanitize(er.Error.Code), sanitize(er.Error.Message)
}
