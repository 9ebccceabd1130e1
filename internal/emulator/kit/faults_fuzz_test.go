package kit

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// faultSpec writes f the way --fault takes it.
func faultSpec(f Fault) string {
	var parts []string
	add := func(cond bool, s string, args ...any) {
		if cond {
			parts = append(parts, fmt.Sprintf(s, args...))
		}
	}
	add(f.Status != 0, "status=%d", f.Status)
	add(f.RetryAfter != "", "retry-after=%s", f.RetryAfter)
	add(f.Latency != 0, "latency=%s", f.Latency)
	add(f.Times != 0, "times=%d", f.Times)
	add(f.Probability != 0, "p=%v", f.Probability)
	add(f.Path != "", "path=%s", f.Path)
	add(f.Method != "", "method=%s", f.Method)
	add(f.Reset, "reset")
	add(f.Truncate, "truncate")
	return strings.Join(parts, ",")
}

// FuzzParseFault checks --fault specs and the admin endpoint's bodies on any input: neither parser
// panics, both accept only rules the server can apply (Validate), a spec and a JSON body that say the
// same thing give the same rule, and an accepted rule written back as a spec or as JSON reads back equal.
func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"status=429,retry-after=1,times=2,path=/me/drive/*,method=POST", "latency=20ms",
		"reset,times=1", "truncate", "status=503,retry-after=0.5,p=0.25", "status=99", "status=1000", "times=-1",
		"p=NaN,status=500", "p=2,status=500", "path=me,status=500", "path=/[,status=500", "latency=-1s",
		"reset=false", "status", "colour=red", "", ",,,", "status=500,path=/shares/**",
		`{"status":429,"retryAfter":"2","times":1}`, `{"status":1000}`, `{"latency":"20ms"}`, `{"latency":1000000}`,
		`{"latency":-5}`, `{"probability":1.5,"status":500}`, `{}`, `{"colour":"red"}`, `"status=500"`, `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		spec, specErr := ParseFault(in)
		body, bodyErr := ParseFaultBody([]byte(in))
		for _, r := range []struct {
			f   Fault
			err error
		}{{spec, specErr}, {body, bodyErr}} {
			if r.err != nil {
				if r.f != (Fault{}) {
					t.Fatalf("%q: error %v with rule %+v", in, r.err, r.f)
				}
				continue
			}
			if err := r.f.Validate(); err != nil {
				t.Fatalf("%q: accepted %+v, which Validate refuses: %v", in, r.f, err)
			}
			if !utf8.ValidString(r.f.RetryAfter + r.f.Path + r.f.Method) {
				continue // JSON would carry U+FFFD instead
			}
			b, err := json.Marshal(r.f)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := ParseFaultBody(b); err != nil || again != r.f {
				t.Fatalf("%q: rule %+v as JSON %s reads back as %+v, %v", in, r.f, b, again, err)
			}
		}
		if specErr == nil && !strings.HasPrefix(strings.TrimSpace(in), "{") && (bodyErr != nil || body != spec) {
			t.Fatalf("%q: spec gives %+v, the same text as a body gives %+v, %v", in, spec, body, bodyErr)
		}
		if specErr == nil && !strings.ContainsAny(spec.RetryAfter+spec.Path+spec.Method, ", =") {
			s := faultSpec(spec)
			if again, err := ParseFault(s); err != nil || again != spec {
				t.Fatalf("%q: rule %+v as spec %q reads back as %+v, %v", in, spec, s, again, err)
			}
		}
	})
}

// FuzzFaultRoundTrip builds a rule from any field values: it is valid exactly when Validate says so,
// and then its spec and its JSON both read back as the same rule.
func FuzzFaultRoundTrip(f *testing.F) {
	f.Add(429, "2", int64(0), 2, 0.0, "/me/drive/*", "post", false, false)
	f.Add(0, "", int64(20*time.Millisecond), 0, 0.25, "", "", false, true)
	f.Add(0, "", int64(0), 1, 1.0, "/shares/**", "GET", true, false)
	f.Add(600, "x", int64(-1), -1, math.NaN(), "me", "", false, false)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, latency int64, times int, p float64, path, method string, reset, truncate bool) {
		if strings.ContainsAny(retryAfter+path+method, ",= \t\r\n\v\f\u0085\u00a0") || strings.ToUpper(method) != method {
			return // not expressible in a spec: commas separate pairs, spaces are trimmed, methods upper-cased
		}
		want := Fault{Status: status, RetryAfter: retryAfter, Latency: time.Duration(latency), Times: times,
			Probability: p, Path: path, Method: method, Reset: reset, Truncate: truncate}
		valid := want.Validate() == nil
		got, err := ParseFault(faultSpec(want))
		if valid != (err == nil) || (valid && got != want) {
			t.Fatalf("rule %+v (valid %v) as spec %q reads back as %+v, %v", want, valid, faultSpec(want), got, err)
		}
		b, jerr := json.Marshal(want)
		if jerr != nil || !utf8.ValidString(retryAfter+path+method) {
			return // NaN and infinities have no JSON; invalid UTF-8 would come back as U+FFFD
		}
		got, err = ParseFaultBody(b)
		if valid != (err == nil) || (valid && got != want) {
			t.Fatalf("rule %+v (valid %v) as JSON %s reads back as %+v, %v", want, valid, b, got, err)
		}
	})
}
