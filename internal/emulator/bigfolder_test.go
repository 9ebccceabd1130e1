package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

const bigCount = 100_000

// bigFixture is the demo data plus a business folder "/Big" of n generated files.
func bigFixture(n int) *Fixture {
	f := DemoFixture()
	for i := range f.Drives {
		if f.Drives[i].ID == DemoBusinessDriveID {
			f.Drives[i].Items = append(f.Drives[i].Items, FixtureItem{Name: "Big", Folder: true,
				Generate: &FixtureGenerate{Count: n, Name: "file-%06d.bin", Size: 10, MimeType: "application/octet-stream"}})
		}
	}
	return f
}

// getDirect answers one request in process (no network), for the big-folder test and benchmark.
func getDirect(tb testing.TB, s *Server, uri string) []byte { return getDirectWith(tb, s, uri) }

// getDirectWith is getDirect with extra headers (name, value pairs).
func getDirectWith(tb testing.TB, s *Server, uri string, headers ...string) []byte {
	req := httptest.NewRequest(http.MethodGet, uri, nil)
	req.Header.Set("Authorization", "Bearer t")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rr := httptest.NewRecorder()
	s.ServeHTTP(rr, req)
	if rr.Code != 200 {
		tb.Fatalf("GET %s: %d %s", uri, rr.Code, rr.Body.Bytes())
	}
	return rr.Body.Bytes()
}

type idPage struct {
	Value []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"value"`
	Next string `json:"@odata.nextLink"`
}

// TestBigFolderBuildIsLinear: building a folder ten times bigger allocates about ten times as
// much, in count and in bytes, not a hundred (a build that copies what it built so far per item,
// as the quadratic one this guards against did, would). Counted, not timed; not parallel, since
// the counts are the process's. How fast it builds is BenchmarkBuildBigFolder's (make bench).
func TestBigFolderBuildIsLinear(t *testing.T) {
	small, large := buildAllocs(t, 5_000), buildAllocs(t, 50_000)
	// The demo data's own items are a fixed cost; the ratio of what the generated files add
	// is 10 for a linear build.
	base := buildAllocs(t, 0)
	for _, c := range []struct {
		what         string
		small, large uint64
	}{{"allocations", small.mallocs - base.mallocs, large.mallocs - base.mallocs},
		{"bytes", small.bytes - base.bytes, large.bytes - base.bytes}} {
		if ratio := float64(c.large) / float64(c.small); ratio > 12 {
			t.Errorf("50,000 files took %d %s, %.1f times what 5,000 took (%d): not linear", c.large, c.what, ratio, c.small)
		}
	}
}

type allocs struct{ mallocs, bytes uint64 }

// buildAllocs counts what building the demo data plus a folder of n files allocates.
func buildAllocs(t *testing.T, n int) allocs {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := New(Options{Seed: bigFixture(n), RandomSeed: 1}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	return allocs{after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc}
}

// TestBigFolderPaging walks a 100,000-file folder 999 at a time: first and last page, count,
// order, no duplicates. Under the race detector it walks 20,000.
func TestBigFolderPaging(t *testing.T) {
	t.Parallel()
	bigCount := bigCount
	if raceEnabled {
		bigCount = 20_000
	}
	s, err := New(Options{Seed: bigFixture(bigCount), RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	base := "http://localhost/v1.0/drives/" + DemoBusinessDriveID + "/root:/Big:/children"
	var pg idPage
	seen := make(map[string]bool, bigCount)
	pages := 0
	next := base + "?$top=999"
	for next != "" {
		pg = idPage{}
		if err := json.Unmarshal(getDirect(t, s, next), &pg); err != nil {
			t.Fatal(err)
		}
		pages++
		if pages == 1 && (len(pg.Value) != 999 || pg.Value[0].Name != "file-000001.bin") {
			t.Fatalf("first page: %d, first %q", len(pg.Value), pg.Value[0].Name)
		}
		for i, v := range pg.Value {
			if want := fmt.Sprintf("file-%06d.bin", len(seen)+1); v.Name != want {
				t.Fatalf("page %d item %d: %q, want %q", pages, i, v.Name, want)
			}
			if seen[v.ID] {
				t.Fatalf("duplicate %s (%s) on page %d", v.ID, v.Name, pages)
			}
			seen[v.ID] = true
		}
		next = pg.Next
	}
	last := pg.Value[len(pg.Value)-1].Name
	if len(seen) != bigCount || pages != (bigCount+998)/999 || len(pg.Value) != bigCount%999 || last != fmt.Sprintf("file-%06d.bin", bigCount) {
		t.Errorf("%d items in %d pages, last page %d ending %q", len(seen), pages, len(pg.Value), last)
	}
}

func TestTopOver999(t *testing.T) {
	e := newEnv(t, Options{})
	if r := e.get("/me/drive/items/" + DemoArchiveFolderID + "/children?$top=1000"); r.status != 400 || r.errCode(t) != "invalidRequest" {
		t.Errorf("$top=1000: %d %s", r.status, r.body)
	}
	if r := e.get("/me/drive/items/" + DemoArchiveFolderID + "/children?$top=999"); r.status != 200 || len(r.json(t)["value"].([]any)) != 450 {
		t.Errorf("$top=999: %d", r.status)
	}
}

// BenchmarkBuildBigFolder builds the demo data plus a folder of 10,000 and of 100,000 files: the
// second should take about ten times the first (a linear build; see TestBigFolderBuildIsLinear).
func BenchmarkBuildBigFolder(b *testing.B) {
	for _, n := range []int{10_000, bigCount} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			seed := bigFixture(n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := New(Options{Seed: seed, RandomSeed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChildrenPage100k answers one page of a 100,000-file folder from its middle: the
// cost depends on the page size, not on the folder's size.
func BenchmarkChildrenPage100k(b *testing.B) {
	s, err := New(Options{Seed: bigFixture(bigCount), RandomSeed: 1})
	if err != nil {
		b.Fatal(err)
	}
	base := "http://localhost/v1.0/drives/" + DemoBusinessDriveID + "/root:/Big:/children"
	mid := base + "?$top=200&$skiptoken=" + encodeSkipToken(s.st.drive(DemoBusinessDriveID).root.byName["big"].id+"/children", bigCount/2)
	getDirect(b, s, mid)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		getDirect(b, s, mid)
	}
}
