package sharing

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fakeParser is a provider that claims arguments with its prefix ("" claims everything) and
// takes the flags it lists.
type fakeParser struct {
	name, title, prefix string
	flags               []string
	located             []string
	spec                func(LinkSpec) error
}

func (p *fakeParser) Name() string    { return p.name }
func (p *fakeParser) Service() string { return p.title }
func (p *fakeParser) Title() string   { return p.title }
func (p *fakeParser) Claims(arg string) bool {
	return p.prefix == "" || strings.HasPrefix(arg, p.prefix)
}
func (p *fakeParser) Parse(arg string) (Item, error) {
	if arg == "bad" {
		return Item{}, errors.New("bad item")
	}
	k := ByID
	if strings.Contains(arg, "/") {
		k = ByPath
	}
	return Item{Kind: k, Ref: strings.TrimPrefix(arg, p.prefix)}, nil
}
func (p *fakeParser) Locate(pc ParseContext, items []*Item) error {
	for _, it := range items {
		p.located = append(p.located, it.Input)
		it.Location = p.name + ":" + pc.Value("drive")
	}
	if p.name == "box" {
		if g := pc.Given(); len(g) > 0 {
			if g[0].Name == "user" {
				return &UnsupportedFlag{Flag: "user"}
			}
			return &UsageError{Err: fmt.Errorf("--%s refused", g[0].Name)}
		}
	}
	return nil
}
func (p *fakeParser) AsShare(it Item) (Item, error) { it.Kind = ByShareID; return it, nil }
func (p *fakeParser) Supports(verb, flag string) bool {
	for _, f := range p.flags {
		if f == flag {
			return true
		}
	}
	return false
}
func (p *fakeParser) CheckSpec(_ Item, _ string, spec LinkSpec) error {
	if p.spec != nil {
		return p.spec(spec)
	}
	return nil
}

func newTestRegistry() (*Registry, *fakeParser, *fakeParser) {
	box := &fakeParser{name: "box", title: "Box", prefix: "box:", flags: []string{"vanity-name"},
		spec: func(s LinkSpec) error {
			if len(s.Recipients) > 0 {
				return &UnsupportedFlag{Flag: "recipient"}
			}
			return nil
		}}
	graph := &fakeParser{name: "graph", title: "OneDrive/SharePoint", flags: []string{"drive", "recipient"}}
	r := &Registry{}
	// The default is registered first: it still takes only what no other provider claims.
	r.RegisterDefault(graph, func() (Provider, error) { return nil, errors.New("graph opened") })
	r.Register(box, func() (Provider, error) { return nil, errors.New("box opened") })
	return r, box, graph
}

func TestRegistryParseDispatch(t *testing.T) {
	r, _, _ := newTestRegistry()
	for arg, want := range map[string]string{"box:/Reports/q3.xlsx": "box", "/Reports": "graph", "01ABC": "graph", "https://x/s/1": "graph"} {
		it, err := r.Parse(arg)
		if err != nil || it.Provider != want || it.Input != arg {
			t.Errorf("Parse(%q) = %+v, %v; want provider %s", arg, it, err, want)
		}
	}
	_, err := r.Parse("bad")
	var ue *UsageError
	if !errors.As(err, &ue) || err.Error() != "bad item" {
		t.Errorf("Parse(bad) = %v, want the parser's error as a usage error", err)
	}
	if _, err := (&Registry{}).Parse("x"); err == nil {
		t.Error("an empty registry parsed an item")
	}
	if _, err := r.Open("graph"); err == nil || err.Error() != "graph opened" {
		t.Errorf("Open(graph) = %v", err)
	}
	if _, err := r.Open("dropbox"); err == nil {
		t.Error("Open of an unknown provider succeeded")
	}
}

func TestRegistryParseShare(t *testing.T) {
	r, _, _ := newTestRegistry()
	if _, err := r.ParseShare("/Reports"); err == nil || err.Error() != `"/Reports" is a path, not a share: give a sharing URL or a share id` {
		t.Errorf("ParseShare(path) = %v", err)
	}
	it, err := r.ParseShare("s!abc")
	if err != nil || it.Kind != ByShareID {
		t.Errorf("ParseShare(id) = %+v, %v", it, err)
	}
}

func TestRegistryLocateGroupsByProvider(t *testing.T) {
	r, box, graph := newTestRegistry()
	var items []*Item
	for _, a := range []string{"/a", "box:/b", "/c"} {
		it, err := r.Parse(a)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, &it)
	}
	pc := ParseContext{Flags: []ContextFlag{{Name: "drive", Value: ""}}}
	if err := r.Locate(pc, items); err != nil {
		t.Fatal(err)
	}
	if strings.Join(graph.located, ",") != "/a,/c" || strings.Join(box.located, ",") != "box:/b" {
		t.Errorf("located: graph %v, box %v", graph.located, box.located)
	}
	if items[0].Location != "graph:" || items[1].Location != "box:" {
		t.Errorf("locations = %v, %v", items[0].Location, items[1].Location)
	}
	pc.Flags[0] = ContextFlag{Name: "drive", Value: "d1", Given: true}
	err := r.Locate(pc, items)
	var ue *UsageError
	if !errors.As(err, &ue) || err.Error() != "--drive refused" {
		t.Errorf("a Box item with --drive: %v", err)
	}
	pc.Flags = []ContextFlag{{Name: "user", Value: "u", Given: true}}
	graph.flags = append(graph.flags, "user")
	err = r.Locate(pc, items)
	if !errors.As(err, &ue) || !errors.Is(err, ErrNotSupported) || err.Error() != "--user is a OneDrive/SharePoint flag; box:/b is a Box item" {
		t.Errorf("a Box item with --user: %v", err)
	}
}

func TestFlagRefusalNamesTheFlagAndBothProviders(t *testing.T) {
	r, _, _ := newTestRegistry()
	boxItem, _ := r.Parse("box:/x")
	graphItem, _ := r.Parse("/Reports/a b.txt")
	err := r.CheckFlags(boxItem, VerbLinkCreate, "vanity-name", "drive")
	if !errors.Is(err, ErrNotSupported) || err.Error() != "--drive is a OneDrive/SharePoint flag; box:/x is a Box item" {
		t.Errorf("CheckFlags(box, --drive) = %v", err)
	}
	err = r.CheckFlags(graphItem, VerbLinkCreate, "drive", "vanity-name")
	if err == nil || err.Error() != `--vanity-name is a Box flag; "/Reports/a b.txt" is a OneDrive/SharePoint item` {
		t.Errorf("CheckFlags(graph, --vanity-name) = %v", err)
	}
	err = r.CheckFlags(graphItem, VerbLinkCreate, "nonsense")
	if err == nil || !strings.HasPrefix(err.Error(), "--nonsense does not apply to OneDrive/SharePoint items") {
		t.Errorf("CheckFlags(graph, --nonsense) = %v", err)
	}
	if err := r.CheckFlags(graphItem, VerbLinkCreate, "drive", "recipient"); err != nil {
		t.Errorf("supported flags refused: %v", err)
	}
	err = r.CheckSpec(boxItem, VerbLinkCreate, LinkSpec{Recipients: []string{"a@b.c"}})
	var ue *UsageError
	if !errors.As(err, &ue) || err.Error() != "--recipient is a OneDrive/SharePoint flag; box:/x is a Box item" {
		t.Errorf("CheckSpec(box, recipients) = %v", err)
	}
	if err := r.CheckSpec(graphItem, VerbLinkCreate, LinkSpec{Recipients: []string{"a@b.c"}}); err != nil {
		t.Errorf("CheckSpec(graph) = %v", err)
	}
}

// fakeAPIError is a provider's answer.
type fakeAPIError struct {
	status int
	code   string
	inner  []string
	denied bool
}

func (e *fakeAPIError) Error() string        { return fmt.Sprintf("%s (HTTP %d)", e.code, e.status) }
func (e *fakeAPIError) HTTPStatus() int      { return e.status }
func (e *fakeAPIError) ErrorCode() string    { return e.code }
func (e *fakeAPIError) ErrorMessage() string { return "message" }
func (e *fakeAPIError) Unauthorized() bool   { return e.status == 401 && !e.denied }
func (e *fakeAPIError) AccessDenied() bool   { return e.denied }
func (e *fakeAPIError) HasCode(c string) bool {
	for _, i := range e.inner {
		if i == c {
			return true
		}
	}
	return false
}

func TestErrorClassification(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("create link for /x: %w", err) }
	notFound := wrap(&fakeAPIError{status: 404, code: "itemNotFound"})
	if StatusOf(notFound) != 404 || IsUnauthorized(notFound) || IsAccessDenied(notFound) || !HasCode(notFound, "itemNotFound") {
		t.Errorf("404 misclassified")
	}
	if StatusOf(errors.New("dial tcp: refused")) != 0 || IsUnauthorized(errors.New("x")) || HasCode(errors.New("x"), "") {
		t.Error("a transport error was classified as an answer")
	}
	if !IsUnauthorized(wrap(&fakeAPIError{status: 401})) {
		t.Error("401 is not unauthorized")
	}
	denied := wrap(&fakeAPIError{status: 401, denied: true})
	if IsUnauthorized(denied) || !IsAccessDenied(denied) {
		t.Error("access denied misclassified")
	}
	upgrade := wrap(&fakeAPIError{status: 403, code: "accessDenied", inner: []string{"accountUpgradeRequired"}})
	if !HasCode(upgrade, "accountUpgradeRequired") || HasCode(upgrade, "other") {
		t.Error("inner codes not read")
	}
	if IsPageLimit(notFound) {
		t.Error("a 404 is not the page bound")
	}
	ans := wrap(&AnswerError{Err: errors.New("decode permission: bad")})
	if !IsAnswerError(ans) || IsAnswerError(notFound) {
		t.Error("AnswerError not found")
	}
	if !IsSensitive(&UsageError{Err: errors.New("x"), Sensitive: true}) || IsSensitive(UsageErrorf("x")) {
		t.Error("Sensitive misread")
	}
	if AsUsage(nil) != nil {
		t.Error("AsUsage(nil) != nil")
	}
}

func TestParseLinkTypeAndScope(t *testing.T) {
	if v, ok := ParseLinkType("BLOCKSDOWNLOAD"); !ok || v != "blocksDownload" {
		t.Errorf("ParseLinkType = %q, %v", v, ok)
	}
	if _, ok := ParseLinkType("share"); ok {
		t.Error("unknown type accepted")
	}
	if v, ok := ParseScope("Anyone"); !ok || v != "anonymous" {
		t.Errorf("ParseScope(Anyone) = %q", v)
	}
	if v, ok := ParseScope("ORGANIZATION"); !ok || v != "organization" {
		t.Errorf("ParseScope = %q", v)
	}
	if _, ok := ParseScope("world"); ok {
		t.Error("unknown scope accepted")
	}
}

// A verb only some providers do is a usage error for the others' items, before anything is sent.
func TestCheckVerb(t *testing.T) {
	r, _, graph := newTestRegistry()
	graph.flags = append(graph.flags, "") // the fake's way of saying it does every verb
	b, _ := r.Parse("box:/Reports")
	err := r.CheckVerb(b, VerbLinkInvite)
	var ue *UsageError
	if !errors.As(err, &ue) || !errors.Is(err, ErrNotSupported) || err.Error() != "link invite is not supported for Box items yet (box:/Reports)" {
		t.Errorf("box: %v", err)
	}
	g, _ := r.Parse("/Reports")
	if err := r.CheckVerb(g, VerbLinkInvite); err != nil {
		t.Errorf("graph: %v", err)
	}
	if err := r.CheckVerb(Item{Provider: "nope"}, VerbShareGrant); err == nil {
		t.Error("an unknown provider passed")
	}
}
