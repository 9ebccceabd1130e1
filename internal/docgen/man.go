package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/app"
)

// environment is the ENVIRONMENT section of every man page: what odshare reads from the
// environment. It follows the README's configuration table (TestEnvironmentMatchesREADME).
var environment = [][2]string{
	{"ODSHARE_ACCESS_TOKEN", "A bearer token used as is, with no sign-in; it wins over every other credential."},
	{"ODSHARE_GRAPH_ENDPOINT", "Graph base URL including the version (config graph_endpoint; default from the cloud, https://graph.microsoft.com/v1.0)."},
	{"ODSHARE_CLOUD", "National cloud: global, usgov, usgovdod or china (config cloud); picks the Graph and sign-in hosts."},
	{"ODSHARE_OUTPUT", "Default output format: table, wide, json or ndjson (config output)."},
	{"ODSHARE_CONFIG_DIR", "Where config.yaml and the token cache live; default the OS user config directory + /odshare."},
	{"ODSHARE_CA_FILE", "PEM file of extra CA certificates to trust (config ca_file)."},
	{"ODSHARE_RETRY_BUDGET", "How long one request waits out throttling in all (config retry_budget; default 5m; 0 never retries)."},
	{"ODSHARE_AUTHORITY_HOST", "Sign-in host (config authority_host; default from the cloud)."},
	{"ODSHARE_TENANT", "Sign-in tenant (config tenant; default common)."},
	{"ODSHARE_CLIENT_ID", "Application (client) id to sign in with (config client_id)."},
	{"ODSHARE_SCOPES", "Scopes for delegated sign-in, comma-separated (config scopes; default Files.ReadWrite)."},
	{"ODSHARE_ACCOUNT", "Which cached account to use (config account; flag --account)."},
	{"ODSHARE_CLIENT_SECRET", "App-only client secret; never read from or written to a file."},
	{"ODSHARE_CERTIFICATE", "App-only certificate: PEM with the key, or PFX (config certificate)."},
	{"ODSHARE_CERTIFICATE_PASSWORD", "Password of a PFX certificate."},
	{"ODSHARE_TOKEN_STORAGE", "Where tokens are kept (config token_storage): auto, encrypted with a key in the OS keyring (a plain 0600 file where none answers), or file."},
	{"ODSHARE_BOX_CLIENT_ID", "Your Box app's client id (config box_client_id)."},
	{"ODSHARE_BOX_CLIENT_SECRET", "Your Box app's client secret; never read from config.yaml (a Box sign-in keeps it in the private token cache)."},
	{"ODSHARE_BOX_ACCESS_TOKEN", "A Box token used as is (a developer token, CI), with no sign-in."},
	{"ODSHARE_BOX_ACCOUNT", "Which cached Box account (login email) to use (config box_account)."},
	{"ODSHARE_BOX_API_URL", "Box API base URL (config box_api_url; default https://api.box.com/2.0)."},
	{"ODSHARE_BOX_TOKEN_URL", "Box token endpoint (config box_token_url; default https://api.box.com/oauth2/token)."},
	{"ODSHARE_BOX_AUTHORIZE_URL", "Box authorize page (config box_authorize_url; default https://account.box.com/api/oauth2/authorize)."},
	{"ODSHARE_LINK_PASSWORD", "The password link create gives links when neither --password nor --password-stdin is used."},
	{"ODSHARE_SHARE_PASSWORD", "The password of a Box shared link that is read (share get, share children, and link commands given the link's URL) when --password-stdin is not used."},
	{"ODSHARE_FORCE_TTY", "Lay out tables as on a terminal even when piped (1), at a given width (80)."},
	{"NO_COLOR", "No colour (https://no-color.org); CLICOLOR_FORCE=1 forces it, TERM=dumb turns it off."},
	{"TZ", "The local time zone: --expires 2026-12-31 means the end of that day there."},
	{"XDG_CACHE_HOME", "Where shell completion keeps folder listings for 30 seconds (odshare/ under it; default ~/.cache)."},
	{"HTTPS_PROXY, NO_PROXY", "The proxy for Graph and sign-in, as in every Go program."},
	{"CI", "When true or 1, odshare never prompts (link delete then needs --yes)."},
}

// exitStatus is the EXIT STATUS section, from the codes app.Run returns.
var exitStatus = [][2]string{
	{fmt.Sprint(app.ExitOK), "Success."},
	{fmt.Sprint(app.ExitError), "An error: Graph's (its code and message are printed), or any other failure; with several items, one of them failed."},
	{fmt.Sprint(app.ExitUsage), "A usage error: a bad command, flag, value or argument. Nothing was sent."},
	{fmt.Sprint(app.ExitAuth), "Authentication missing or rejected: not signed in, a refresh token expired or revoked, a declined or expired device code, a rejected app credential or token."},
	{fmt.Sprint(app.ExitInterrupted), "Interrupted (Ctrl-C)."},
}

// roff escapes text for a man page line.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// manSections finishes the pages GenManTree wrote: the synopsis with the arguments (go-md2man
// drops "<item-id | /path>" as if it were an HTML tag), and ENVIRONMENT and EXIT STATUS sections
// before SEE ALSO.
func manSections(root *cobra.Command, dir string) error {
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		if !c.IsAvailableCommand() && c != root {
			return nil
		}
		file := filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		page, err := finishManPage(string(b), c)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		return os.WriteFile(file, []byte(page), 0o644)
	}
	return walk(root)
}

// finishManPage rewrites one page's synopsis and adds the sections.
func finishManPage(page string, c *cobra.Command) (string, error) {
	lines := strings.Split(page, "\n")
	syn := -1
	for i, l := range lines {
		if l == ".SH SYNOPSIS" && i+1 < len(lines) {
			syn = i + 1
		}
	}
	if syn < 0 {
		return "", fmt.Errorf("no SYNOPSIS")
	}
	path := c.CommandPath()
	args := strings.TrimSpace(strings.TrimPrefix(c.UseLine(), path))
	lines[syn] = `\fB` + roff(path) + `\fP ` + roff(args)
	var sec strings.Builder
	sec.WriteString(".SH ENVIRONMENT\n")
	for _, e := range environment {
		fmt.Fprintf(&sec, ".TP\n\\fB%s\\fP\n%s\n", roff(e[0]), roff(e[1]))
	}
	sec.WriteString("\n\n.SH EXIT STATUS\n")
	for _, e := range exitStatus {
		fmt.Fprintf(&sec, ".TP\n\\fB%s\\fP\n%s\n", e[0], roff(e[1]))
	}
	sec.WriteString("\n\n")
	out := strings.Join(lines, "\n")
	if i := strings.Index(out, ".SH SEE ALSO"); i >= 0 {
		return out[:i] + sec.String() + out[i:], nil
	}
	return strings.TrimRight(out, "\n") + "\n\n\n" + sec.String(), nil
}
