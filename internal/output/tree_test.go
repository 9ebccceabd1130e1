package output

import (
	"strings"
	"testing"
)

func TestWriteTree(t *testing.T) {
	root := &TreeNode{Name: "Reports", Folder: true, Size: 1 << 20, Children: []*TreeNode{
		{Name: "summary.pdf", Size: 120334},
		{Name: "Archive", Folder: true, Size: 4096, Children: []*TreeNode{
			{Name: "b.csv", Size: 2048},
			{Name: "a.csv", Size: 2048},
			{Name: "Empty", Folder: true},
		}},
		{Name: "evil\x1b[2J", Size: 1},
		{Name: "Budget\n2024.xlsx", Size: 9102},
		{Name: "unknown size", Size: -1},
	}}
	var b strings.Builder
	if err := WriteTree(&b, root); err != nil {
		t.Fatal(err)
	}
	want := `Reports/  1.0 MiB
├── Archive/  4.0 KiB
│   ├── a.csv  2.0 KiB
│   ├── b.csv  2.0 KiB
│   └── Empty/  0 B
├── Budget\x0a2024.xlsx  8.9 KiB
├── evil\x1b[2J  1 B
├── summary.pdf  117.5 KiB
└── unknown size  -
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteTreeEmptyFolder(t *testing.T) {
	var b strings.Builder
	if err := WriteTree(&b, &TreeNode{Name: "", Folder: true}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "/  0 B\n" {
		t.Errorf("got %q", got)
	}
}
