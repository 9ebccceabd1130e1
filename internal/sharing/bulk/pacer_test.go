package bulk

import (
	"testing"
	"time"
)

// TestPacerWholeSecondRetryAfter: a throttle that words Retry-After in whole seconds (Box's "1" when
// its bucket refills within milliseconds) holds every worker back once, at the spell's start; then,
// while the provider admits at the rate the run is paced to, a 429's Retry-After is that step's own
// wait, not a second's stall for the whole run. The rate is measured from when sending resumed.
func TestPacerWholeSecondRetryAfter(t *testing.T) {
	var p pacer
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

	p.observe(at(0), at(-20), 0, 1, time.Second, true) // the first 429: hold everyone a second
	if !p.gate().Equal(at(1000)) || !p.onset.Equal(at(1000)) || p.rate != 0 {
		t.Fatalf("spell start: gate %v, onset %v, rate %v", p.gate().Sub(t0), p.onset.Sub(t0), p.rate)
	}
	// Sending resumes: 40 admitted in 200 ms, then a 429 sent after the resumption sets the rate from
	// what was admitted since then, and holds no one.
	for ms := 1005; ms <= 1200; ms += 5 {
		p.observe(at(ms), at(ms-20), 1, 0, 0, false)
	}
	p.observe(at(1205), at(1185), 0, 1, time.Second, true)
	if p.rate < 150 || p.rate > 250 {
		t.Errorf("rate %.0f/s after 40 admitted in 200 ms, want about 200", p.rate)
	}
	if p.notBefore.After(at(1000)) {
		t.Errorf("a paced 429 held everyone until %v", p.notBefore.Sub(t0))
	}
	// Clean single requests raise the rate by 10% per quarter second's worth, not 10% each.
	r := p.rate
	for i := range 10 {
		p.observe(at(1210+i), at(1190+i), 1, 0, 0, false)
	}
	if p.rate > r*1.05 {
		t.Errorf("10 clean requests raised the rate from %.0f to %.0f", r, p.rate)
	}
	// A provider that admits nothing for a whole window is held off again.
	p.observe(at(3400), at(3380), 0, 1, time.Second, true)
	if !p.notBefore.Equal(at(4400)) {
		t.Errorf("after a window with nothing admitted: hold until %v, want 4400ms", p.notBefore.Sub(t0))
	}
}
