package output

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strings"
)

// TreeNode is one entry of a folder tree drawn by WriteTree.
type TreeNode struct {
	// Name is the entry's name as Graph sent it; WriteTree sanitises it.
	Name string
	// Size is the size in bytes (for a folder, of everything inside); negative means unknown.
	Size int64
	// Folder marks a folder: its name is shown with a trailing "/".
	Folder bool
	// Children are the folder's entries, in any order; WriteTree sorts them by name.
	Children []*TreeNode
}

// WriteTree draws root and everything below it for people, like tree(1):
//
//	Reports/  178.6 KiB
//	├── Archive/  900.0 KiB
//	│   └── report-000.csv  2.0 KiB
//	└── Summary.pdf  117.5 KiB
//
// Each line is a name (folders end in "/") and its human size. Children are sorted by name,
// case-insensitively and then byte-wise so the order is total. Every name goes through
// Sanitize, so a hostile name can neither move the cursor nor break the tree over two lines.
// The whole tree is written through one buffer; root's Children are sorted in place.
func WriteTree(w io.Writer, root *TreeNode) error {
	bw := bufio.NewWriter(w)
	writeTreeLine(bw, "", root)
	writeTreeChildren(bw, "", root)
	return bw.Flush()
}

func writeTreeChildren(w *bufio.Writer, prefix string, n *TreeNode) {
	slices.SortFunc(n.Children, func(a, b *TreeNode) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Name, b.Name))
	})
	for i, c := range n.Children {
		branch, indent := "├── ", "│   "
		if i == len(n.Children)-1 {
			branch, indent = "└── ", "    "
		}
		writeTreeLine(w, prefix+branch, c)
		writeTreeChildren(w, prefix+indent, c)
	}
}

// writeTreeLine writes one node; a write error sticks in w and WriteTree returns it from Flush.
func writeTreeLine(w *bufio.Writer, prefix string, n *TreeNode) {
	slash := ""
	if n.Folder {
		slash = "/"
	}
	_, _ = w.WriteString(prefix + Sanitize(n.Name) + slash + "  " + HumanSize(n.Size) + "\n")
}
