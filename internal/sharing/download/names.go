package download

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Local names. What a provider calls an item is server text: a hostile or broken server can send
// "..", "/etc/passwd", "a/../../b", "C:\x", control characters, names Windows reserves, or names
// longer than a file system takes. SafeName turns any name into one path component that is the same
// on every operating system (so a tree downloaded on Linux copies to Windows intact), and the caller
// writes only through an os.Root opened on the target directory, which refuses any path, symlink
// included, that leads outside it.
//
// The rules, applied in this order:
//   - invalid UTF-8 bytes, control characters (C0, DEL, C1) and the characters Windows forbids
//     (< > : " / \ | ? *) each become "_";
//   - trailing dots and spaces, which Windows drops, become "_";
//   - "" becomes "_", and a name of dots only ("." and "..") has each dot replaced by "_";
//   - Windows' reserved device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, and COM/LPT with a
//     superscript digit, in any case, alone or before an extension: "nul.txt") get a "_" prefix;
//   - a name longer than MaxNameBytes bytes is cut at a character boundary, keeping its extension
//     (up to 16 bytes of it) and adding "~" and 8 hex digits of the original name's SHA-256, so two
//     long names that share a beginning stay apart.
//
// Names that come out equal in one folder (ignoring case, as Windows and macOS file systems do)
// are told apart by Names: the second becomes "name (2).ext".

// MaxNameBytes bounds a local name: 255 bytes is the component limit of ext4, APFS and (in UTF-16
// units, which a UTF-8 byte count bounds) NTFS, less the room the partial file's suffixes take.
const MaxNameBytes = 255 - len(partSuffix+resumeSuffix)

// The partial download of NAME is NAME.part; its resume record is NAME.part.resume.
const (
	partSuffix   = ".part"
	resumeSuffix = ".resume"
)

// SafeName returns name as one safe path component (see the rules above).
func SafeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && n <= 1, r < 0x20, r >= 0x7f && r < 0xa0, strings.ContainsRune(`<>:"/\|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteString(name[i : i+n])
		}
		i += n
	}
	s := b.String()
	if trimmed := strings.TrimRight(s, ". "); len(trimmed) < len(s) {
		if trimmed == "" && strings.Trim(s, ".") == "" {
			s = strings.Repeat("_", len(s)) // "." and ".."
		} else {
			s = trimmed + strings.Repeat("_", len(s)-len(trimmed))
		}
	}
	if s == "" {
		s = "_"
	}
	if reservedOnWindows(s) {
		s = "_" + s
	}
	if len(s) > MaxNameBytes {
		s = shorten(s, name)
	}
	return s
}

// reservedOnWindows reports whether a name is a device name Windows reserves, alone or with an
// extension: the part before the first dot, trailing spaces ignored, compared without case.
func reservedOnWindows(s string) bool {
	stem, _, _ := strings.Cut(s, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) < 4 || (stem[:3] != "COM" && stem[:3] != "LPT") {
		return false
	}
	switch rest := stem[3:]; rest {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}

// shorten cuts s to MaxNameBytes, keeping a short extension and adding a digest of the original.
func shorten(s, original string) string {
	ext := path.Ext(s)
	if len(ext) > 16 || strings.ContainsRune(ext, ' ') {
		ext = ""
	}
	sum := sha256.Sum256([]byte(original))
	tag := "~" + hex.EncodeToString(sum[:4])
	keep := MaxNameBytes - len(ext) - len(tag)
	stem := s[:len(s)-len(ext)]
	for keep > 0 && !utf8.RuneStart(stem[keep]) {
		keep--
	}
	out := strings.TrimRight(stem[:keep], ". ") + tag + ext
	return out
}

// Names hands out the local names of one folder: SafeName, made unique ignoring case, with the
// partial-download names of each taken too, so a remote "a.txt.part" cannot land on the partial
// download of "a.txt".
type Names struct {
	taken map[string]bool
}

// Take returns the local name for a remote name in this folder; partial says whether the name's
// .part and .part.resume are used too (files).
func (n *Names) Take(remote string, partial bool) string {
	if n.taken == nil {
		n.taken = map[string]bool{}
	}
	base := SafeName(remote)
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			ext := path.Ext(base)
			if ext == base || len(ext) > 16 {
				ext = ""
			}
			suffix := " (" + strconv.Itoa(i) + ")"
			stem := base[:len(base)-len(ext)]
			if over := len(stem) + len(suffix) + len(ext) - MaxNameBytes; over > 0 {
				cut := len(stem) - over
				for cut > 0 && !utf8.RuneStart(stem[cut]) {
					cut--
				}
				stem = stem[:cut]
			}
			name = stem + suffix + ext
		}
		keys := []string{strings.ToLower(name)}
		if partial {
			keys = append(keys, strings.ToLower(name+partSuffix), strings.ToLower(name+partSuffix+resumeSuffix))
		}
		free := true
		for _, k := range keys {
			if n.taken[k] {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for _, k := range keys {
			n.taken[k] = true
		}
		return name
	}
}
