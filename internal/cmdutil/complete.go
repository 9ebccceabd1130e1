package cmdutil

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/sharing"
)

// Shell completion. Nothing that names a remote thing ever completes local files. Item arguments
// that start with "/" complete from the drive itself: the children of the folder typed so far, one
// page of them, read within completeTimeout and kept for completeTTL, so pressing Tab again is
// instant and a slow or unreachable Graph never holds the shell for long. Without a usable
// sign-in, or on any error, there is simply nothing to offer.

// completeTimeout bounds the Graph request behind one Tab.
const completeTimeout = 2 * time.Second

// completeContext bounds ctx by completeTimeout (a variable for tests, to see the deadline hit).
var completeContext = func(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, completeTimeout)
}

// completeTTL is how long a folder's listing is reused.
const completeTTL = 30 * time.Second

// completePage is how many children one Tab asks for.
const completePage = 200

// ExpiresCompletions are the --expires values offered at now: durations, and the date a month
// ahead, which --expires reads as the end of that day in the local time zone.
func ExpiresCompletions(now time.Time) []cobra.Completion {
	return []cobra.Completion{
		"1h\tin an hour", "12h\tin 12 hours", "1d\ttomorrow, this time", "7d\tin a week", "1w\tin a week",
		"30d\tin 30 days", now.AddDate(0, 1, 0).Format(time.DateOnly) + "\tthe end of that day, local time",
	}
}

// CompleteExpires completes --expires (ExpiresCompletions, now).
func CompleteExpires(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return ExpiresCompletions(time.Now()), cobra.ShellCompDirectiveNoFileComp
}

// TenantCompletions are the --tenant values offered.
var TenantCompletions = []cobra.Completion{
	"common\twork, school or personal accounts", "organizations\twork or school accounts",
	"consumers\tpersonal Microsoft accounts",
}

// ScopeCompletions are the --scopes values offered.
var ScopeCompletions = []cobra.Completion{
	"Files.ReadWrite\tyour own files (default)", "Files.ReadWrite.All\tfiles you can reach",
	"Sites.ReadWrite.All\tSharePoint sites",
}

// CompleteAccounts offers the accounts signed in, read from the token cache (no network).
func (f *Factory) CompleteAccounts(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	s, err := f.AuthSettings()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	accts, err := auth.Accounts(s)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, a := range accts {
		out = append(out, a.Username)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// CompleteItems completes item arguments (all of them with all, else the first): a /path from the
// drive the drive flags select, through the provider's PathCompleter; ids, sharing URLs and share
// ids have nothing to complete.
func (f *Factory) CompleteItems(d *DriveFlags, all bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if toComplete == "" {
			toComplete = "/" // the drive's root is where a path starts
		}
		if (!all && len(args) > 0) || !strings.HasPrefix(toComplete, "/") {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		names := f.completePaths(ctx, d, toComplete)
		return names, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// completePaths lists the folder toComplete is in and returns the children whose names start with
// what was typed after its last "/": folders end in "/", so Tab can go on into them.
func (f *Factory) completePaths(ctx context.Context, d *DriveFlags, toComplete string) []cobra.Completion {
	dir, prefix := "/", strings.TrimPrefix(toComplete, "/")
	if i := strings.LastIndex(toComplete, "/"); i > 0 {
		dir, prefix = toComplete[:i], toComplete[i+1:]
	}
	item, err := f.ParseItem(dir)
	if err != nil || item.Kind != sharing.ByPath {
		return nil
	}
	if err := f.Locate(*d, &item); err != nil {
		return nil
	}
	entries, err := f.folderEntries(ctx, item, dir)
	if err != nil {
		return nil
	}
	base := strings.TrimSuffix(dir, "/") + "/"
	var out []cobra.Completion
	for _, e := range entries {
		if !strings.HasPrefix(strings.ToLower(e), strings.ToLower(prefix)) {
			continue
		}
		out = append(out, base+e)
	}
	return out
}

// completeCache is one folder's listing kept for completion.
type completeCache struct {
	At      time.Time `json:"at"`
	Entries []string  `json:"entries"` // names, folders with a trailing "/"
}

// folderEntries returns the names in dir, from the cache when fresh, else from the provider within
// completeTimeout.
func (f *Factory) folderEntries(ctx context.Context, item sharing.Item, dir string) ([]string, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	where := item.Provider
	if k, ok := f.Sharing.Parser(item.Provider).(sharing.CompletionKeyer); ok {
		where = k.CompletionKey(item)
	}
	key := sha256.Sum256([]byte(strings.Join([]string{cfg.GraphEndpoint, cfg.Account, where, dir}, "\x00")))
	file := ""
	if cacheDir, err := os.UserCacheDir(); err == nil {
		file = filepath.Join(cacheDir, "odshare", "complete-"+hex.EncodeToString(key[:12])+".json")
		if b, err := os.ReadFile(file); err == nil {
			var c completeCache
			if json.Unmarshal(b, &c) == nil && time.Since(c.At) < completeTTL && time.Since(c.At) >= 0 {
				return c.Entries, nil
			}
		}
	}
	ctx, cancel := completeContext(ctx)
	defer cancel()
	p, err := f.Sharing.Open(item.Provider)
	if err != nil {
		return nil, err
	}
	pc, ok := sharing.As[sharing.PathCompleter](p)
	if !ok {
		return nil, errors.New("no path completion")
	}
	entries, err := pc.CompleteFolder(ctx, item, completePage)
	if err != nil {
		return nil, err
	}
	if file != "" {
		if b, err := json.Marshal(completeCache{At: time.Now(), Entries: entries}); err == nil {
			if os.MkdirAll(filepath.Dir(file), 0o700) == nil {
				writePrivate(file, b)
			}
		}
	}
	return entries, nil
}

// writePrivate writes b to name (0600) through a temp file and rename; failures are ignored, since a
// missing cache only costs a Graph request.
func writePrivate(name string, b []byte) {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".complete-*")
	if err != nil {
		return
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return
	}
	if tmp.Close() == nil {
		_ = os.Rename(tmp.Name(), name)
	}
}

// NoFileCompletion makes every flag value and argument in the tree that has no completion of its
// own complete nothing, rather than the shell's local files: odshare's arguments name remote
// things. Flags marked with MarkFlagFilename (a file to read) keep file completion.
func NoFileCompletion(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		visit := func(fl *pflag.Flag) {
			if fl.Value.Type() == "bool" {
				return
			}
			if _, file := fl.Annotations[cobra.BashCompFilenameExt]; file {
				return
			}
			if _, ok := c.GetFlagCompletionFunc(fl.Name); ok {
				return
			}
			_ = c.RegisterFlagCompletionFunc(fl.Name, cobra.NoFileCompletions)
		}
		c.LocalNonPersistentFlags().VisitAll(visit)
		c.PersistentFlags().VisitAll(visit)
		if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 {
			c.ValidArgsFunction = cobra.NoFileCompletions
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
