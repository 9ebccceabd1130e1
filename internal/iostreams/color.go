package iostreams

import "github.com/fatih/color"

// ColorScheme colours short strings for terminal output. Each instance owns
// its fatih/color values and enables or disables them explicitly, so it never
// depends on (or changes) color.NoColor, the package-wide switch that
// fatih/color derives from os.Stdout at init. With colour off every method
// returns its argument unchanged.
type ColorScheme struct {
	enabled bool
	green   *color.Color
	red     *color.Color
	yellow  *color.Color
	bold    *color.Color
	gray    *color.Color
}

// ColorScheme returns a ColorScheme that follows s.ColorEnabled at the time
// of the call.
func (s *IOStreams) ColorScheme() *ColorScheme {
	return NewColorScheme(s.colorEnabled)
}

// NewColorScheme returns a ColorScheme with colour forced on or off.
func NewColorScheme(enabled bool) *ColorScheme {
	cs := &ColorScheme{
		enabled: enabled,
		green:   color.New(color.FgGreen),
		red:     color.New(color.FgRed),
		yellow:  color.New(color.FgYellow),
		bold:    color.New(color.Bold),
		gray:    color.New(color.FgHiBlack),
	}
	for _, c := range []*color.Color{cs.green, cs.red, cs.yellow, cs.bold, cs.gray} {
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return cs
}

// Enabled reports whether the scheme emits colour sequences.
func (c *ColorScheme) Enabled() bool { return c.enabled }

// Green is for success (a link created, a permission granted).
func (c *ColorScheme) Green(s string) string { return c.paint(c.green, s) }

// Red is for failure and destructive actions.
func (c *ColorScheme) Red(s string) string { return c.paint(c.red, s) }

// Yellow is for warnings (an anonymous link, an expiry soon).
func (c *ColorScheme) Yellow(s string) string { return c.paint(c.yellow, s) }

// Bold is for headers and emphasis.
func (c *ColorScheme) Bold(s string) string { return c.paint(c.bold, s) }

// Gray is for secondary detail such as ids and hints.
func (c *ColorScheme) Gray(s string) string { return c.paint(c.gray, s) }

func (c *ColorScheme) paint(col *color.Color, s string) string {
	if !c.enabled || s == "" {
		return s
	}
	return col.Sprint(s)
}
