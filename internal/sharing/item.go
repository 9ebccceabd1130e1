package sharing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Kind says how an item argument names an item.
type Kind int

// The ways an item can be named on the command line.
const (
	// ByID is an item id (Graph's drive item id; Box's box:file:123).
	ByID Kind = iota
	// ByPath is a path from the drive's (or Box's) root.
	ByPath
	// BySharingURL is a sharing link's URL.
	BySharingURL
	// ByShareID is a share id (Graph's s!… or u!… token).
	ByShareID
)

// Item is one parsed item argument. Parsing is pure: nothing is sent, no client exists.
type Item struct {
	// Provider is the Name of the provider whose item it is.
	Provider string
	// Input is the argument exactly as given, for messages.
	Input string
	// Kind says how Input names the item.
	Kind Kind
	// IsLink is true when the argument alone names a link, so `link get`, `link update` and
	// `link delete` need no permission id: a sharing URL or share id (for Box, any item: an item
	// has one link).
	IsLink bool
	// OneLink is true when the item has at most one link, which has no id of its own: the item
	// is the link's key (Box), so link commands take no permission id for it.
	OneLink bool
	// MaybePath is true when the argument was read as an id but looks like a file name: when the
	// provider cannot find it, the message says that paths start with "/".
	MaybePath bool
	// Ref is the provider's parse of Input.
	Ref any
	// Location is what the context flags select for this item (Graph's drive: --drive, --user,
	// --group, --site), set by Registry.Locate; nil until then, which means the default.
	Location any
}

// IsShare reports whether the item is named through a share: a sharing URL or a share id.
func (it Item) IsShare() bool { return it.Kind == BySharingURL || it.Kind == ByShareID }

// ContextFlag is one flag that says where relative items live (Graph's --drive, --user, --group,
// --site), as the user gave it.
type ContextFlag struct {
	// Name is the flag without dashes.
	Name string
	// Value is the flag's value.
	Value string
	// Given is true when the flag was on the command line (even as "").
	Given bool
}

// ParseContext is the context flags of one command line, in the order they were registered.
type ParseContext struct {
	Flags []ContextFlag
}

// Given returns the context flags that were given.
func (pc ParseContext) Given() []ContextFlag {
	var out []ContextFlag
	for _, f := range pc.Flags {
		if f.Given || f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// Value returns the value of the named flag ("" when absent).
func (pc ParseContext) Value(name string) string {
	for _, f := range pc.Flags {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Parser is a provider's pure half: naming and rules, settled before any client is built.
type Parser interface {
	// Name is the provider's registry name: "graph", "box".
	Name() string
	// Service names the provider's API in messages: "Graph", "Box".
	Service() string
	// Title names the provider's items for people: "OneDrive/SharePoint", "Box".
	Title() string
	// Claims reports whether arg is this provider's item. The Registry asks providers in the order
	// they were registered; the default one takes whatever no other claimed.
	Claims(arg string) bool
	// Parse reads an item argument; an error is a usage error about the argument.
	Parse(arg string) (Item, error)
	// Locate applies the context flags to this provider's items (setting Item.Location), or
	// refuses them: a *UsageError, or an *UnsupportedFlag for a flag it does not take at all. It
	// runs once per command line for all of them.
	Locate(pc ParseContext, items []*Item) error
	// AsShare reads an item for the share commands, which take sharing URLs and share ids; an item
	// that cannot be a share is a usage error.
	AsShare(it Item) (Item, error)
	// Supports reports whether the provider takes flag (without dashes) for verb; with flag "",
	// whether it does verb at all (Registry.CheckVerb asks so for the verbs only some providers do).
	Supports(verb, flag string) bool
	// CheckSpec refuses, as a usage error naming the flag, a setting the provider cannot apply to
	// the item for verb.
	CheckSpec(it Item, verb string, spec LinkSpec) error
}

// Registry knows every provider: their parsers, and how to build each one's Provider.
type Registry struct {
	mu   sync.Mutex
	regs []registration
	// def is the index of the default provider, which takes the arguments no other one claims;
	// -1 (or an empty registry) means the last registered.
}

type registration struct {
	parser    Parser
	open      func() (Provider, error)
	isDefault bool
}

// Register adds a provider. open builds its Provider; it is called by Open, once per command run.
func (r *Registry) Register(p Parser, open func() (Provider, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.regs = append(r.regs, registration{parser: p, open: open})
}

// RegisterDefault adds the default provider: the one that takes every argument no other provider
// claims, whenever the others are registered (Graph: anything that is not Box's).
func (r *Registry) RegisterDefault(p Parser, open func() (Provider, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.regs = append(r.regs, registration{parser: p, open: open, isDefault: true})
}

func (r *Registry) list() []registration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.regs)
}

// Parsers returns the registered parsers, in order.
func (r *Registry) Parsers() []Parser {
	var out []Parser
	for _, reg := range r.list() {
		out = append(out, reg.parser)
	}
	return out
}

// Parser returns the named provider's parser, or nil.
func (r *Registry) Parser(name string) Parser {
	for _, reg := range r.list() {
		if reg.parser.Name() == name {
			return reg.parser
		}
	}
	return nil
}

// Parse reads an item argument with the first provider, in registration order, that claims it;
// the default provider (RegisterDefault; else the last registered) takes the rest. An error is a
// usage error.
func (r *Registry) Parse(arg string) (Item, error) {
	regs := r.list()
	if len(regs) == 0 {
		return Item{}, errors.New("sharing: no provider registered")
	}
	var p Parser
	fallback := regs[len(regs)-1].parser
	for _, reg := range regs {
		if reg.isDefault {
			fallback = reg.parser
			continue
		}
		if p == nil && reg.parser.Claims(arg) {
			p = reg.parser
		}
	}
	if p == nil {
		p = fallback
	}
	it, err := p.Parse(arg)
	if err != nil {
		return it, AsUsage(err)
	}
	it.Provider, it.Input = p.Name(), arg
	return it, nil
}

// ParseShare reads the argument of a share command: a sharing URL or a share id. A path is refused.
func (r *Registry) ParseShare(arg string) (Item, error) {
	it, err := r.Parse(arg)
	if err != nil {
		return it, err
	}
	if it.Kind == ByPath {
		return it, UsageErrorf("%q is a path, not a share: give a sharing URL or a share id", arg)
	}
	p := r.Parser(it.Provider)
	s, err := p.AsShare(it)
	if err != nil {
		return it, AsUsage(err)
	}
	return s, nil
}

// Locate applies the context flags to every item, provider by provider, in the order the providers
// were registered.
func (r *Registry) Locate(pc ParseContext, items []*Item) error {
	for _, reg := range r.list() {
		var mine []*Item
		for _, it := range items {
			if it.Provider == reg.parser.Name() {
				mine = append(mine, it)
			}
		}
		if len(mine) == 0 {
			continue
		}
		err := reg.parser.Locate(pc, mine)
		var uf *UnsupportedFlag
		if errors.As(err, &uf) {
			return r.FlagRefusal(uf.Flag, *mine[0])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Open builds the named provider's Provider. Each call builds a new one: a command opens each
// provider it needs once.
func (r *Registry) Open(name string) (Provider, error) {
	for _, reg := range r.list() {
		if reg.parser.Name() == name {
			return reg.open()
		}
	}
	return nil, fmt.Errorf("sharing: no provider %q", name)
}

// CheckFlags refuses, before anything is sent, a flag given for verb that the item's provider does
// not take: "--drive is a OneDrive/SharePoint flag; box:/x is a Box item". given are flag names
// without dashes.
func (r *Registry) CheckFlags(it Item, verb string, given ...string) error {
	p := r.Parser(it.Provider)
	if p == nil {
		return fmt.Errorf("sharing: no provider %q", it.Provider)
	}
	for _, flag := range given {
		if p.Supports(verb, flag) {
			continue
		}
		refusal := r.FlagRefusal(flag, it)
		if ex, ok := p.(RefusalExplainer); ok {
			if why := ex.ExplainRefusal(verb, flag); why != "" {
				var ue *UsageError
				if errors.As(refusal, &ue) {
					return &UsageError{Err: fmt.Errorf("%w: %s", ue.Err, why)}
				}
			}
		}
		return refusal
	}
	return nil
}

// CheckVerb refuses, as a usage error before anything is sent, a verb the item's provider does not
// do (its Parser's Supports(verb, "") is false): "link invite is not supported for Box items yet
// (box:/x)". The error is ErrNotSupported.
func (r *Registry) CheckVerb(it Item, verb string) error {
	p := r.Parser(it.Provider)
	if p == nil {
		return fmt.Errorf("sharing: no provider %q", it.Provider)
	}
	if p.Supports(verb, "") {
		return nil
	}
	return &UsageError{Err: notSupported(fmt.Sprintf("%s is not supported for %s items yet (%s)", verb, p.Title(), quoteInput(it.Input)))}
}

// FlagRefusal is the usage error for a flag the item's provider does not take, naming the provider
// whose flag it is when one does.
func (r *Registry) FlagRefusal(flag string, it Item) error {
	p := r.Parser(it.Provider)
	title := it.Provider
	if p != nil {
		title = p.Title()
	}
	var owners []string
	for _, q := range r.Parsers() {
		if q != p && q.Supports(AnyVerb, flag) {
			owners = append(owners, q.Title())
		}
	}
	if len(owners) > 0 {
		return &UsageError{Err: notSupported(fmt.Sprintf("--%s is a %s flag; %s is a %s item",
			flag, strings.Join(owners, " and "), quoteInput(it.Input), title))}
	}
	return &UsageError{Err: notSupported(fmt.Sprintf("--%s does not apply to %s items such as %s", flag, title, quoteInput(it.Input)))}
}

// notSupported is a refusal's text; it is ErrNotSupported.
type notSupported string

func (e notSupported) Error() string        { return string(e) }
func (e notSupported) Is(target error) bool { return target == ErrNotSupported }

// AnyVerb asks Parser.Supports whether the provider takes a flag for any verb.
const AnyVerb = "*"

// CheckSpec asks the item's provider to refuse what it cannot apply (see Parser.CheckSpec).
func (r *Registry) CheckSpec(it Item, verb string, spec LinkSpec) error {
	p := r.Parser(it.Provider)
	if p == nil {
		return fmt.Errorf("sharing: no provider %q", it.Provider)
	}
	err := p.CheckSpec(it, verb, spec)
	var uf *UnsupportedFlag
	if errors.As(err, &uf) {
		return r.FlagRefusal(uf.Flag, it)
	}
	return AsUsage(err)
}

// quoteInput shows an item argument in a message: as is when it is plain, quoted otherwise.
func quoteInput(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\") && strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return s
	}
	return fmt.Sprintf("%q", s)
}
