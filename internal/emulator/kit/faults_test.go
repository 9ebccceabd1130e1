package kit

import (
	"reflect"
	"testing"
)

// A rule counts as applied only when Pick returns it: not when it is skipped by after=, used up by
// times=, shadowed by an earlier rule or outside a batch's reach.
func TestFaultSetUnapplied(t *testing.T) {
	var fs FaultSet
	first := Fault{Method: "POST", Path: "/me/drive/*", Status: 429, Times: 1}
	shadowed := Fault{Method: "POST", Path: "/me/drive/*", Status: 503, Times: 1, After: 5}
	batchOnly := Fault{Reset: true}
	later := Fault{Path: "/shares/*", Status: 500, After: 1}
	for _, f := range []Fault{first, shadowed, batchOnly, later} {
		fs.Add(f)
	}
	never := func() float64 { return 0 }
	if got := fs.Unapplied(); len(got) != 4 {
		t.Fatalf("before any request: %d unapplied, want 4", len(got))
	}
	if f := fs.Pick("POST", "/me/drive/x", true, never); f == nil || f.Status != 429 {
		t.Fatalf("first POST: %+v, want the 429", f)
	}
	fs.Pick("GET", "/shares/u!x", true, never) // let through by after=1
	want := []Fault{shadowed, batchOnly, later}
	if got := fs.Unapplied(); !reflect.DeepEqual(got, want) {
		t.Fatalf("unapplied = %+v, want %+v", got, want)
	}
	fs.Pick("GET", "/shares/u!x", false, never) // the reset rule, outside a batch, wins
	fs.Pick("GET", "/shares/u!x", true, never)  // inside a batch: the path rule
	if got := fs.Unapplied(); !reflect.DeepEqual(got, []Fault{shadowed}) {
		t.Fatalf("unapplied = %+v, want only the shadowed rule", got)
	}
}
