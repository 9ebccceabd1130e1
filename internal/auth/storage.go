package auth

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Storage says how the token caches are kept on disk; see the package comment ("Token cache").
type Storage struct {
	// File keeps the caches as plain 0600 files and never asks the OS keyring (--insecure-storage,
	// the token_storage setting "file").
	File bool
	// Notice receives the one-line notice that a cache was written in clear because no OS keyring
	// answered. Called at most once per process; nil is silent.
	Notice func(string)
}

// Storage kinds, as `odshare auth status` names them.
const (
	StorageKeyring  = "keyring"
	StorageFile     = "file"
	StorageNone     = "none" // no cache file yet
	encryptedMember = "odshareEncrypted"
	cipherName      = "AES-256-GCM"
	envelopeVersion = 1
)

// envelope is an encrypted cache file: one JSON object, so tools and odshare's own checks see a
// JSON cache either way. The plaintext (MSAL's or Box's cache JSON) is sealed with AES-256-GCM under
// the key kept in the OS keyring; the associated data binds it to the file's name and the key's id,
// so one cache file can't be swapped for another (the app-only cache for the delegated one, Box's for
// MSAL's) without failing to open.
type envelope struct {
	Version    int    `json:"version"`
	Cipher     string `json:"cipher"`
	KeyID      string `json:"keyId"` // first 8 bytes of SHA-256(key), hex: tells a replaced key from damage
	Nonce      string `json:"nonce"`
	Ciphertext string `json:"ciphertext"`
}

// KeyError means an encrypted token cache cannot be opened: its key is not in the OS keyring (lost,
// deleted, another machine's), the keyring did not answer, or the file was altered. The tokens are
// unusable, so the user signs in again (exit 4); a new sign-in replaces the file.
type KeyError struct {
	Path   string
	Reason string
	box    bool // the Box cache: "sign in again" names --provider box
}

func (e *KeyError) Error() string {
	login := "`odshare auth login`"
	if e.box {
		login = "`odshare auth login --provider box`"
	}
	return fmt.Sprintf("token cache %s is encrypted and cannot be opened (%s): sign in again with %s", e.Path, e.Reason, login)
}

// Is makes a KeyError an ErrNotSignedIn (an MSAL cache) or ErrBoxNotSignedIn (Box's).
func (e *KeyError) Is(target error) bool {
	if e.box {
		return target == ErrBoxNotSignedIn
	}
	return target == ErrNotSignedIn
}

// aad is the associated data of a cache file's envelope.
func aad(path, keyID string) []byte {
	return []byte("odshare token cache v1\x00" + filepath.Base(path) + "\x00" + keyID)
}

func keyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

func seal(path string, key, plain []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	id := keyID(key)
	ct := gcm.Seal(nil, nonce, plain, aad(path, id))
	env := envelope{Version: envelopeVersion, Cipher: cipherName, KeyID: id,
		Nonce: base64.StdEncoding.EncodeToString(nonce), Ciphertext: base64.StdEncoding.EncodeToString(ct)}
	return json.Marshal(map[string]envelope{encryptedMember: env})
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// parseEnvelope reports whether data is an encrypted cache, and its envelope.
func parseEnvelope(data []byte) (envelope, bool) {
	if !bytes.Contains(data, []byte(`"`+encryptedMember+`"`)) {
		return envelope{}, false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return envelope{}, false
	}
	raw, ok := top[encryptedMember]
	if !ok {
		return envelope{}, false
	}
	var env envelope
	_ = json.Unmarshal(raw, &env)
	return env, true
}

// open decrypts an envelope with key.
func open(path string, env envelope, key []byte) ([]byte, error) {
	if env.Version != envelopeVersion || env.Cipher != cipherName {
		return nil, fmt.Errorf("written by a newer odshare (version %d, %s)", env.Version, safeField(env.Cipher))
	}
	if env.KeyID != keyID(key) {
		return nil, errors.New("the key in the OS keyring is not the one it was encrypted with")
	}
	nonce, err1 := base64.StdEncoding.DecodeString(env.Nonce)
	ct, err2 := base64.StdEncoding.DecodeString(env.Ciphertext)
	gcm, err := newGCM(key)
	if err1 != nil || err2 != nil || err != nil || len(nonce) != gcm.NonceSize() {
		return nil, errors.New("the file is damaged")
	}
	plain, err := gcm.Open(nil, nonce, ct, aad(path, env.KeyID))
	if err != nil {
		return nil, errors.New("the file is damaged or was altered")
	}
	return plain, nil
}

func safeField(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// noticeOnce sends the plain-file notice at most once per process.
var noticeOnce sync.Once

// encode returns what to write for a cache file: sealed with the keyring's key, or, when the
// storage is File or no keyring answers, the plain JSON (with the notice in the second case).
func (c *fileCache) encode(plain []byte) ([]byte, error) {
	if c.storage.File {
		return plain, nil
	}
	key, err := cacheKey(filepath.Dir(c.path), true)
	if err != nil {
		// Said at a sign-in, or when a cache becomes plain; not on every refresh of a cache that
		// already was (a CI job's log would carry it on every command).
		if c.storage.Notice != nil && (c.fresh || !c.wasPlainOnDisk()) {
			noticeOnce.Do(func() {
				c.storage.Notice(fmt.Sprintf("! No OS keyring answered (%s): tokens are stored in a plain file readable only by you (%s)",
					redactText(err.Error()), filepath.Dir(c.path)))
			})
		}
		return plain, nil
	}
	return seal(c.path, key, plain)
}

// decode returns a cache file's JSON: data itself when plain, else decrypted with the keyring's key.
// A cache that cannot be opened is a *KeyError, unless the operation starts afresh (a sign-in), which
// then reads it as empty and replaces it.
func (c *fileCache) decode(data []byte) ([]byte, error) {
	env, ok := parseEnvelope(data)
	if !ok {
		c.setPlainOnDisk(true)
		return data, nil
	}
	fail := func(reason string) ([]byte, error) {
		if c.fresh {
			return []byte(emptyCacheObject), nil
		}
		return nil, &KeyError{Path: c.path, Reason: reason, box: filepath.Base(c.path) == boxCacheFileName}
	}
	if c.storage.File {
		return fail("token storage is set to a plain file, which never asks the OS keyring")
	}
	key, err := cacheKey(filepath.Dir(c.path), false)
	if errors.Is(err, errKeyNotFound) {
		return fail("its key is no longer in the OS keyring")
	}
	if err != nil {
		return fail("the OS keyring did not answer: " + redactText(err.Error()))
	}
	plain, err := open(c.path, env, key)
	if err != nil {
		return fail(err.Error())
	}
	return plain, nil
}

// CacheStorageOf says how the cache file at path is kept, from its content (no keyring call):
// StorageKeyring (encrypted, key in the OS keyring), StorageFile (plain JSON) or StorageNone.
func CacheStorageOf(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return StorageNone
	}
	if _, ok := parseEnvelope(b); ok {
		return StorageKeyring
	}
	return StorageFile
}

// DescribeStorage is the words `auth status` uses for a storage kind.
func DescribeStorage(kind string) string {
	switch kind {
	case StorageKeyring:
		return "encrypted (AES-256-GCM), key in " + keyringName()
	case StorageFile:
		return "file (0600)"
	}
	return "nothing cached"
}
