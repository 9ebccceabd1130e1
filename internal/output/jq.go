package output

import (
	"fmt"
	"io"

	"github.com/itchyny/gojq"

	"github.com/odshare/odshare/internal/iostreams"
)

// JQArray runs a --jq expression on a JSON array given an element at a time (a listing's items),
// printing what WriteJSON would print for the whole array, without holding the array as text:
//
//   - An expression that takes the array apart first, `.[]`, `.[] | f` or `.[].name | f` (no
//     `as` binding, no definitions), yields in jq exactly what running the rest (f) on each
//     element in turn yields, so each element is decoded, run and dropped as it comes: memory holds
//     one element. gh and jq users write their listing queries this way (`.[] | select(.file) |
//     .name`).
//   - Any other (`map(...)`, `length`, `[.[] | ...]`) needs the whole array: the elements are
//     spooled as compact JSON and the array decoded once, from the spool, at the end.
//
// Either way the results are spooled and reach the output only by CopyTo, so stdout stays empty
// when the listing or the query fails. A query error is kept for CopyTo (a listing that then fails
// reports its own error, as when the query ran on the whole array), and after `halt` later elements
// are not run.
type JQArray struct {
	tty  bool
	code *gojq.Code // the whole expression (whole array) or its per-element rest
	each bool

	in, out spool // the array's text (whole array); the results
	n       int
	halted  bool
	err     error
}

// NewJQArray compiles expr (CompileJQ's errors) for ios's output.
func NewJQArray(ios *iostreams.IOStreams, expr string) (*JQArray, error) {
	code, err := CompileJQ(expr)
	if err != nil {
		return nil, err
	}
	a := &JQArray{tty: ios.IsStdoutTTY(), code: code}
	if q, err := gojq.Parse(expr); err == nil {
		if rest, ok := perElement(q); ok {
			if c, err := gojq.Compile(rest); err == nil {
				a.code, a.each = c, true
			}
		}
	}
	return a, nil
}

// PerElement reports whether the expression runs an element at a time.
func (a *JQArray) PerElement() bool { return a.each }

// Add takes the next element (valid JSON); only a failure to spool is returned.
func (a *JQArray) Add(raw []byte) error {
	a.n++
	if !a.each {
		sep := []byte{','}
		if a.n == 1 {
			sep = []byte{'['}
		}
		if _, err := a.in.Write(sep); err != nil {
			return err
		}
		_, err := a.in.Write(raw)
		return err
	}
	if a.halted || a.err != nil {
		return nil
	}
	v, err := decodeJSON(raw)
	if err != nil {
		a.err = fmt.Errorf("invalid JSON: %w", err)
		return nil
	}
	a.halted, a.err = runJQ(&a.out, a.code, v, a.tty)
	return nil
}

// CopyTo runs the whole-array expression (if that is what it is) and copies the results to w,
// or returns the query's error having written nothing.
func (a *JQArray) CopyTo(w io.Writer) error {
	if !a.each {
		end := "]"
		if a.n == 0 {
			end = "[]"
		}
		if _, err := io.WriteString(&a.in, end); err != nil {
			return err
		}
		r, err := a.in.Reader()
		if err != nil {
			return err
		}
		v, err := decodeJSONFrom(r)
		if err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		a.in.Close()
		_, a.err = runJQ(&a.out, a.code, v, a.tty)
	}
	if a.err != nil {
		return a.err
	}
	r, err := a.out.Reader()
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// Close frees the spools.
func (a *JQArray) Close() {
	a.in.Close()
	a.out.Close()
}

// perElement returns, for a query that starts by iterating its input (`.[]`, `.[] | f`,
// `.[]<suffixes> | f`) and binds and defines nothing, the query to run on each element instead.
func perElement(q *gojq.Query) (*gojq.Query, bool) {
	if q.Meta != nil || len(q.Imports) > 0 || len(q.FuncDefs) > 0 || len(q.Patterns) > 0 {
		return nil, false
	}
	switch q.Op {
	case 0:
		return iterHead(q)
	case gojq.OpPipe:
		head, ok := iterHead(q.Left)
		if !ok {
			return nil, false
		}
		if len(head.Term.SuffixList) == 0 {
			return q.Right, true
		}
		return &gojq.Query{Left: head, Op: gojq.OpPipe, Right: q.Right}, true
	}
	return nil, false
}

// iterHead reads a query that is `.[]` followed by suffixes (`.[].name`), returning what the
// suffixes do to one element: identity (no suffixes) for `.[]` alone.
func iterHead(q *gojq.Query) (*gojq.Query, bool) {
	if q == nil || q.Op != 0 || q.Term == nil || q.Meta != nil || len(q.Imports) > 0 || len(q.FuncDefs) > 0 || len(q.Patterns) > 0 {
		return nil, false
	}
	t := q.Term
	if t.Type != gojq.TermTypeIdentity || len(t.SuffixList) == 0 {
		return nil, false
	}
	first := t.SuffixList[0]
	if !first.Iter || first.Optional || first.Index != nil {
		return nil, false
	}
	rest := t.SuffixList[1:]
	if len(rest) > 0 && rest[0].Optional && rest[0].Index == nil && !rest[0].Iter {
		return nil, false // `.[]?`: the error it suppresses is the iteration's
	}
	return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeIdentity, SuffixList: rest}}, true
}
