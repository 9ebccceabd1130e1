package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// actionParams is the JSON body of a bound action (createLink, invite, grant, revokeGrants):
// an object whose members are the action's parameters [CSDL]. Its getters check each member's
// JSON type and remember the first error, so a handler reads them all and then checks err once.
type actionParams struct {
	raw map[string]json.RawMessage
	err *apiError
}

// parseAction decodes body as a single JSON object and rejects members the action doesn't
// define, as Graph rejects parameters it can't bind.
func parseAction(body []byte, action string, params []string) (*actionParams, *apiError) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, badRequest("The request body must be a JSON object.")
	}
	if dec.More() {
		return nil, badRequest("The request body must be a single JSON object.")
	}
	for k := range raw {
		if !slices.Contains(params, k) {
			return nil, badRequest(fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type.", k, action))
		}
	}
	return &actionParams{raw: raw}, nil
}

func (a *actionParams) fail(e *apiError) {
	if a.err == nil {
		a.err = e
	}
}

// has reports whether the member was sent with a value other than null.
func (a *actionParams) has(name string) bool {
	v, ok := a.raw[name]
	return ok && string(v) != "null"
}

func (a *actionParams) str(name string) string {
	if !a.has(name) {
		return ""
	}
	var s string
	if json.Unmarshal(a.raw[name], &s) != nil {
		a.fail(badRequest(fmt.Sprintf("The parameter '%s' must be a string.", name)))
	}
	return s
}

func (a *actionParams) boolean(name string) (value, set bool) {
	if !a.has(name) {
		return false, false
	}
	if json.Unmarshal(a.raw[name], &value) != nil {
		a.fail(badRequest(fmt.Sprintf("The parameter '%s' must be a boolean.", name)))
	}
	return value, true
}

func (a *actionParams) strings(name string) []string {
	if !a.has(name) {
		return nil
	}
	var out []string
	if json.Unmarshal(a.raw[name], &out) != nil {
		a.fail(badRequest(fmt.Sprintf("The parameter '%s' must be an array of strings.", name)))
	}
	return out
}

// expiry reads an RFC 3339 expirationDateTime that must be after now; zero when absent.
func (a *actionParams) expiry(name string, now time.Time) time.Time {
	s := a.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		a.fail(badRequest(fmt.Sprintf("The %s '%s' is not a valid RFC 3339 date and time (yyyy-MM-ddTHH:mm:ssZ).", name, s)))
		return time.Time{}
	}
	if !t.After(now) {
		a.fail(badRequest(fmt.Sprintf("The %s '%s' is in the past.", name, s)))
	}
	return t.UTC()
}

// recipients reads a collection of driveRecipient objects (email, alias, objectId) [CSDL].
func (a *actionParams) recipients(name string) []recipient {
	if !a.has(name) {
		return nil
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(a.raw[name], &list) != nil {
		a.fail(badRequest(fmt.Sprintf("The parameter '%s' must be an array of driveRecipient objects.", name)))
		return nil
	}
	var out []recipient
	for i, m := range list {
		var r recipient
		for k, fv := range m {
			var sv string
			if string(fv) != "null" && json.Unmarshal(fv, &sv) != nil {
				a.fail(badRequest(fmt.Sprintf("%s[%d].%s must be a string.", name, i, k)))
				return nil
			}
			switch k {
			case "email":
				r.email = sv
			case "alias":
				r.alias = sv
			case "objectId":
				r.objectID = sv
			case "@odata.type":
			default:
				a.fail(badRequest(fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.driveRecipient'.", k)))
				return nil
			}
		}
		if r.email == "" && r.alias == "" && r.objectID == "" {
			a.fail(badRequest(fmt.Sprintf("%s[%d] needs an email, alias or objectId.", name, i)))
			return nil
		}
		out = append(out, r)
	}
	return out
}
