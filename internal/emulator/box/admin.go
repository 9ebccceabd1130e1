package box

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// serveAdmin answers the stand-in's own endpoints under /_emulator/box/. They need no token and
// are not recorded:
//
//	GET    /_emulator/box/health                 {"status":"ok"}
//	GET    /_emulator/box/requests               recorded API and token requests (body as text)
//	DELETE /_emulator/box/requests               forget them
//	GET    /_emulator/box/faults                 current fault rules
//	POST   /_emulator/box/faults                 add a rule: a spec string ("status=429,times=1") or a JSON Fault
//	DELETE /_emulator/box/faults                 remove every rule
//	GET    /_emulator/box/stats                  counters (requests, throttled, sharedLinks, tokens)
//	DELETE /_emulator/box/stats                  set them to zero
//	POST   /_emulator/box/tokens                 {"user":"ID or login","lifetime":"60m"} -> {"access_token","expires_in"}
//	POST   /_emulator/box/auto-approve           {"on":true|false}
//	POST   /_emulator/box/expire-access-tokens   every issued access token answers 401 from now on
//	POST   /_emulator/box/revoke-refresh-tokens  every refresh token is invalid from now on
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, name string) {
	method := func(ms ...string) bool {
		for _, m := range ms {
			if r.Method == m {
				return true
			}
		}
		w.Header().Set("Allow", ms[0])
		writeError(w, errf(http.StatusMethodNotAllowed, "method_not_allowed", "Method Not Allowed"))
		return false
	}
	readBody := func() ([]byte, bool) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			writeError(w, badRequest("could not read the body"))
			return nil, false
		}
		return b, true
	}
	switch name {
	case "health":
		if method(http.MethodGet) {
			writeJSON(w, http.StatusOK, obj{{"status", "ok"}})
		}
	case "requests":
		if !method(http.MethodGet, http.MethodDelete) {
			return
		}
		if r.Method == http.MethodDelete {
			s.ResetRequests()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		out := []any{}
		for _, rr := range s.Requests() {
			out = append(out, obj{{"method", rr.Method}, {"rawURI", rr.RawURI}, {"header", rr.Header},
				{"body", string(rr.Body)}, {"status", rr.Status}, {"secrets", rr.Secrets}})
		}
		writeJSON(w, http.StatusOK, out)
	case "faults":
		if !method(http.MethodGet, http.MethodPost, http.MethodDelete) {
			return
		}
		switch r.Method {
		case http.MethodDelete:
			s.ClearFaults()
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPost:
			b, ok := readBody()
			if !ok {
				return
			}
			f, err := kit.ParseFaultBody(b)
			if err != nil {
				writeError(w, badRequest(err.Error()))
				return
			}
			s.AddFault(f)
			writeJSON(w, http.StatusCreated, f)
		default:
			writeJSON(w, http.StatusOK, s.faults.List())
		}
	case "stats":
		if !method(http.MethodGet, http.MethodDelete) {
			return
		}
		if r.Method == http.MethodDelete {
			s.ResetStats()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, s.Stats())
	case "tokens":
		if !method(http.MethodPost) {
			return
		}
		b, ok := readBody()
		if !ok {
			return
		}
		var req struct {
			User     string `json:"user"`
			Lifetime string `json:"lifetime"`
		}
		if err := json.Unmarshal(b, &req); err != nil {
			writeError(w, badRequest("body must be {\"user\":\"ID or login\",\"lifetime\":\"60m\"}"))
			return
		}
		var life time.Duration
		if req.Lifetime != "" {
			d, err := time.ParseDuration(req.Lifetime)
			if err != nil || d <= 0 {
				writeError(w, badRequest("lifetime must be a positive Go duration such as 60m"))
				return
			}
			life = d
		}
		tok, err := s.IssueDeveloperToken(req.User, life)
		if err != nil {
			writeError(w, errf(http.StatusNotFound, "not_found", err.Error()))
			return
		}
		if life == 0 {
			life = 60 * time.Minute
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, obj{{"access_token", tok}, {"expires_in", int64(life / time.Second)}, {"token_type", "bearer"}})
	case "auto-approve":
		if !method(http.MethodPost) {
			return
		}
		b, ok := readBody()
		if !ok {
			return
		}
		var req struct {
			On *bool `json:"on"`
		}
		if json.Unmarshal(b, &req) != nil || req.On == nil {
			writeError(w, badRequest(`body must be {"on":true} or {"on":false}`))
			return
		}
		s.SetAutoApprove(*req.On)
		w.WriteHeader(http.StatusNoContent)
	case "expire-access-tokens", "revoke-refresh-tokens":
		if !method(http.MethodPost) {
			return
		}
		if name == "expire-access-tokens" {
			s.ExpireAccessTokens()
		} else {
			s.RevokeRefreshTokens()
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, errf(http.StatusNotFound, "not_found", "Unknown emulator endpoint; see /_emulator/box/health, requests, faults, stats, tokens, auto-approve, expire-access-tokens, revoke-refresh-tokens."))
	}
}
