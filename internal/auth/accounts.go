package auth

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// CacheLocation reports where s keeps its tokens, for `odshare auth status`: the app-only cache when
// s carries a client credential, else the delegated one, and how that file is stored (from its
// content: encrypted with the OS keyring's key, or plain). It asks no keyring.
func CacheLocation(s Settings) (path, storage string) {
	name := cacheFileName
	if s.ClientSecret != "" || s.CertificateFile != "" {
		name = appCacheFileName
	}
	if s.ConfigDir == "" {
		return "", DescribeStorage(StorageNone)
	}
	path = filepath.Join(s.ConfigDir, name)
	return path, DescribeStorage(CacheStorageOf(path))
}

// Accounts lists the people signed in through s's client, sorted by user name. App-only tokens
// are listed by AppAccounts.
func Accounts(s Settings) ([]AccountInfo, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	fc := newFileCache(r.cachePath(), r.Storage)
	pc, err := newPublicClient(r, fc)
	if err != nil {
		return nil, err
	}
	var accts []public.Account
	ctx := context.Background()
	err = fc.do(ctx, func(ctx context.Context) error {
		accts, err = pc.Accounts(ctx)
		return err
	})
	if err != nil {
		return nil, silentError(ctx, "list accounts", err)
	}
	out := make([]AccountInfo, 0, len(accts))
	for _, a := range accts {
		out = append(out, accountInfo(a))
	}
	sortAccounts(out)
	return out, nil
}

// AppAccounts lists the apps (client id and tenant) with app-only tokens in the cache. MSAL has
// no API for this, so it reads the cache contract's access-token entries that have no home
// account.
func AppAccounts(s Settings) ([]AccountInfo, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	snap, err := newFileCache(r.appCachePath(), r.Storage).snapshot(context.Background())
	if err != nil {
		return nil, err
	}
	return snap.apps(), nil
}

func (c *contract) apps() []AccountInfo {
	seen := map[AccountInfo]bool{}
	var out []AccountInfo
	for _, at := range c.AccessTokens {
		if at.HomeAccountID != "" {
			continue
		}
		ai := AccountInfo{TenantID: at.Realm, Environment: at.Environment, AppOnly: true, ClientID: at.ClientID}
		if !seen[ai] {
			seen[ai] = true
			out = append(out, ai)
		}
	}
	sortAccounts(out)
	return out
}

func sortAccounts(a []AccountInfo) {
	sort.Slice(a, func(i, j int) bool {
		if a[i].Username != a[j].Username {
			return strings.ToLower(a[i].Username) < strings.ToLower(a[j].Username)
		}
		if a[i].ClientID != a[j].ClientID {
			return a[i].ClientID < a[j].ClientID
		}
		return a[i].TenantID < a[j].TenantID
	})
}

// Logout forgets username's tokens, or with username "" every token odshare cached: both cache
// files are deleted, which is also the way out of a corrupt cache (*CacheError). Removing one
// person uses MSAL's RemoveAccount, which deletes that account's access, id and refresh tokens.
// removed lists what was signed in and is now gone.
func Logout(s Settings, username string) (removed []AccountInfo, err error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if username == "" {
		return logoutAll(ctx, r)
	}
	fc := newFileCache(r.cachePath(), r.Storage)
	pc, err := newPublicClient(r, fc)
	if err != nil {
		return nil, err
	}
	err = fc.do(ctx, func(ctx context.Context) error {
		accts, err := pc.Accounts(ctx)
		if err != nil {
			return err
		}
		var names []string
		for _, a := range accts {
			if strings.EqualFold(a.PreferredUsername, username) {
				if err := pc.RemoveAccount(ctx, a); err != nil {
					return err
				}
				removed = append(removed, accountInfo(a))
			}
			names = append(names, a.PreferredUsername)
		}
		if len(removed) == 0 {
			sort.Strings(names)
			return fmt.Errorf("%s is not signed in (signed in: %s)", username, strings.Join(names, ", "))
		}
		return nil
	})
	if err != nil {
		var ce *CacheError
		var ke *KeyError
		if errors.As(err, &ce) || errors.As(err, &ke) {
			return nil, err
		}
		return nil, fmt.Errorf("sign out %s: %s", username, redactText(err.Error()))
	}
	return removed, nil
}

// logoutAll deletes both cache files under their locks. What they held is listed first when it
// can be read; a corrupt file is deleted all the same, since the user asked for everything to go.
func logoutAll(ctx context.Context, r resolved) ([]AccountInfo, error) {
	var removed []AccountInfo
	if accts, err := Accounts(r.Settings); err == nil {
		removed = append(removed, accts...)
	}
	if apps, err := AppAccounts(r.Settings); err == nil {
		removed = append(removed, apps...)
	}
	var errs []error
	for _, p := range []string{r.cachePath(), r.appCachePath()} {
		if err := newFileCache(p, r.Storage).removeLocked(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}
