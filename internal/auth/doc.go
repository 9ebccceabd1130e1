// Package auth signs odshare in to Microsoft Entra ID and to Box, and hands out access tokens for
// Microsoft Graph (Source) and Box (BoxSource). It is the only package that imports MSAL for Go, so the rest of the CLI sees plain
// strings and a few sentinel errors; graph.Client uses a *Source through its structural
// Token/Refresh interface without either package importing the other.
//
// # Token cache: a 0600 file, encrypted with a key from the OS keyring
//
// MSAL keeps tokens in memory and asks a cache.ExportReplace to persist them. MSAL's own OS secret
// store extension needs cgo and libsecret on Linux and never falls back by itself, and an MSAL cache
// outgrows Windows' 2,560-byte credentials; so odshare keeps MSAL's cache (and Box's) as a file in
// ConfigDir, and keeps only a random 32-byte key in the OS credential store (keyring.go, through
// zalando/go-keyring, pure Go), which encrypts each file with AES-256-GCM (storage.go). Where no
// store answers within keyringTimeout (no D-Bus session bus, no Secret Service, a locked collection)
// the file is written in clear, as gh's and the Azure CLI's fallbacks do, with a notice:
//
//   - msal_token_cache.json      delegated (device-code) accounts and tokens
//   - msal_app_token_cache.json  app-only (client-credential) tokens, kept apart so that listing or
//     removing people never touches an app's tokens and vice versa
//   - box_token_cache.json       Box sign-ins (box.go): tokens and the app's client secret
//   - *.lock                     the gofrs/flock lock file beside each cache file (never deleted:
//     removing a lock file while another process waits on it breaks mutual exclusion)
//
// The directory is created 0700 and the files 0600; a cache file found with a wider mode is
// tightened to 0600 on the next read. A cache or lock file that is a symbolic link is refused, never
// followed (O_NOFOLLOW and Lstat): tightening, reading or replacing it would act on whatever it names. Every write goes to a temporary file in the same
// directory, is fsynced and then renamed over the cache file, so a reader sees either the old or
// the new cache, never a prefix. A cache that is not valid JSON is reported as a *CacheError and
// left untouched: it may be a good cache damaged by hand, and `odshare auth logout` (or deleting
// the file) is the explicit way out. An encrypted cache that cannot be opened (its key lost, the
// file altered) is a *KeyError, "sign in again"; a sign-in reads it as empty and replaces it.
//
// # Locking: Replace takes the lock, Export (or the end of the operation) releases it
//
// MSAL calls Replace before it reads its in-memory cache and Export after it changed it
// (apps/internal/base/base.go: AcquireTokenSilent, AuthResultFromToken, AllAccounts,
// RemoveAccount), but the calls are not always paired: a silent call answered from the cache,
// AllAccounts and every failure path call Replace and never Export. The file cache therefore:
//
//  1. Replace takes an exclusive flock on the lock file (unless this operation already holds it),
//     then reads the file into MSAL. Waiting honours ctx; a ctx without a deadline waits at most
//     lockWait.
//  2. The lock stays held while MSAL talks to the token endpoint. A silent call that must redeem
//     the refresh token runs Replace → refresh over HTTP → Replace → write → Export under one
//     lock, so a second process (or a second Source in this one) waits, then reads the refreshed
//     cache and uses the new access token instead of redeeming the same refresh token again. No
//     refresh is lost and a rotated refresh token is never overwritten by a stale copy.
//  3. Export writes the file atomically and releases the lock. Export deliberately does not give up
//     when ctx is cancelled: by then the lock is held and the token endpoint has already rotated
//     the refresh token, so dropping the write would throw the new one away.
//  4. Every MSAL call made by this package runs inside fileCache.do, which releases the lock when
//     the call returns; this is the safety unlock for Replace-without-Export paths and for MSAL
//     errors between Replace and Export.
//
// Device-code sign-in does not hold the lock while the user types the code: MSAL only touches the
// cache once the token arrives (AuthResultFromToken), so the lock is held for milliseconds.
//
// # Forcing a refresh
//
// MSAL for Go v1.10.1 has no ForceRefresh option (MSAL.NET's WithForceRefresh). WithClaims skips
// cached access tokens (base.go: "ignore cached access tokens when given claims") but also sends a
// claims parameter to Entra that is meant for conditional-access challenges. Source.Refresh
// instead discards the cached access token while loading the cache (the MSAL cache contract is a
// cross-SDK format that "cannot be changed without design that includes other SDKs",
// apps/internal/base/storage/items.go), so MSAL's ordinary silent path finds no access token and
// redeems the refresh token (delegated) or the client credential (app-only), sending exactly the
// request it would send at expiry.
package auth
