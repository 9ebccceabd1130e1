package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// serveAdmin answers the emulator's own endpoints under /_emulator/. They need no token and are
// not recorded, so a test or a user can inspect and steer a running emulator:
//
//	GET    /_emulator/health    {"status":"ok"}
//	GET    /_emulator/requests  recorded Graph requests (body as text); Authorization and link
//	                            passwords redacted, with keyed digests under "secrets"
//	DELETE /_emulator/requests  forget them
//	GET    /_emulator/faults    current fault rules
//	POST   /_emulator/faults    add a rule: a spec string ("status=429,times=1") or a JSON Fault
//	DELETE /_emulator/faults    remove every rule
//	GET    /_emulator/stats     counters: {"requests","batches","throttled","createLink":{"created","existing"}}
//	DELETE /_emulator/stats     set them to zero
//	POST   /_emulator/content   {"item": id, "size": n}: new content for a file (new eTag, cTag, hashes, bytes)
//	POST   /_emulator/delta/expire  make every delta token issued so far stale (410 resyncRequired)
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	name := strings.Trim(strings.TrimPrefix(r.URL.EscapedPath(), "/_emulator"), "/")
	c := &reqCtx{w: w, r: r}
	var e *apiError
	switch name {
	case "health":
		if e = allow(c, http.MethodGet); e == nil {
			writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
		}
	case "requests":
		if e = allow(c, http.MethodGet, http.MethodDelete); e != nil {
			break
		}
		if r.Method == http.MethodDelete {
			s.ResetRequests()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		out := []any{}
		for _, rr := range s.Requests() {
			out = append(out, map[string]any{
				"method": rr.Method, "rawURI": rr.RawURI, "header": rr.Header,
				"body": string(rr.Body), "status": rr.Status, "batch": rr.Batch, "secrets": rr.Secrets,
			})
		}
		writeJSON(w, http.StatusOK, out)
	case "faults":
		if e = allow(c, http.MethodGet, http.MethodPost, http.MethodDelete); e != nil {
			break
		}
		switch r.Method {
		case http.MethodDelete:
			s.ClearFaults()
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPost:
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				e = badRequest("could not read the body")
				break
			}
			f, err := kit.ParseFaultBody(body)
			if err != nil {
				e = badRequest(err.Error())
				break
			}
			s.AddFault(f)
			writeJSON(w, http.StatusCreated, f)
		default:
			writeJSON(w, http.StatusOK, s.faults.List())
		}
	case "content":
		if e = allow(c, http.MethodPost); e != nil {
			break
		}
		var req struct {
			Item string `json:"item"`
			Size *int64 `json:"size"`
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			err = dec.Decode(&req)
		}
		if err != nil || req.Item == "" || (req.Size != nil && *req.Size < 0) {
			e = badRequest(`The body must be {"item": "<item id>", "size": <bytes, optional>}.`)
			break
		}
		size := int64(-1)
		if req.Size != nil {
			size = *req.Size
		}
		if err := s.ChangeContent(req.Item, size); err != nil {
			e = errf(http.StatusNotFound, codeItemNotFound, err.Error())
			break
		}
		s.mu.Lock()
		it := s.st.item(req.Item)
		out := map[string]any{"id": it.id, "eTag": itemETag(it), "cTag": itemCTag(it), "size": it.size}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case "delta/expire":
		if e = allow(c, http.MethodPost); e == nil {
			s.ExpireDeltaTokens()
			w.WriteHeader(http.StatusNoContent)
			return
		}
	case "stats":
		if e = allow(c, http.MethodGet, http.MethodDelete); e != nil {
			break
		}
		if r.Method == http.MethodDelete {
			s.ResetStats()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, s.Stats())
	default:
		e = errf(http.StatusNotFound, codeItemNotFound, "Unknown emulator endpoint; see /_emulator/health, /_emulator/requests, /_emulator/faults, /_emulator/stats.")
	}
	if e != nil {
		writeError(w, r, e)
	}
}
