package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
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

// TestBigFolderPaging walks a 100,000-file folder 999 at a time: first and last page, count,
// order, no duplicates. Under the race detector it walks 20,000 and skips the timing bound.
func TestBigFolderPaging(t *testing.T) {
	t.Parallel()
	bigCount := bigCount
	if raceEnabled {
		bigCount = 20_000
	}
	// The build must be linear: a folder ten times bigger may take ten times as long, not a
	// hundred (the quadratic build this guards against took minutes). A ratio to a tenth-size
	// build, not a wall-clock bound, so a loaded machine slows both alike.
	begin := time.Now()
	if _, err := New(Options{Seed: bigFixture(bigCount / 10), RandomSeed: 1}); err != nil {
		t.Fatal(err)
	}
	tenth := time.Since(begin)
	start := time.Now()
	s, err := New(Options{Seed: bigFixture(bigCount), RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	built := time.Since(start)
	t.Logf("built a %d-file folder in %v (a tenth of it in %v)", bigCount, built, tenth)
	if built > 40*tenth && built > 2*time.Second && !raceEnabled {
		t.Errorf("building %d files took %v, %0.f times a tenth-size build (%v): not linear", bigCount, built, float64(built)/float64(tenth), tenth)
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
	t.Logf("paged %d files in %v", bigCount, time.Since(start)-built)
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
