package emulator

import (
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// referenceQuickXor is the algorithm exactly as Microsoft's page describes it, one bit at a
// time: each input byte rotated to bit 11*i of a 160-bit block and XORed in; then the length,
// little-endian, XORed into the last 64 bits of the block as the page's sample code lays it out.
func referenceQuickXor(data []byte) []byte {
	var bits [160]bool
	for i, c := range data {
		for b := range 8 {
			if c>>b&1 == 1 {
				k := (i*11 + b) % 160
				bits[k] = !bits[k]
			}
		}
	}
	out := make([]byte, 20)
	for k, on := range bits {
		if on {
			out[k/8] |= 1 << (k % 8)
		}
	}
	n := uint64(len(data))
	for i := range 8 {
		out[12+i] ^= byte(n >> (8 * i))
	}
	return out
}

func TestQuickXorHash(t *testing.T) {
	// Microsoft's page gives no test vector. This one is the digest of "hello world" that
	// independent implementations publish (the Rust quickxorhash crate's documentation, the
	// Python binding of flowerysong/quickxorhash), so it checks the layout, not just our
	// consistency.
	h := newQuickXorHash()
	h.Write([]byte("hello world"))
	if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != "aCgDG9jwBhDc4Q1yawMZAAAAAAA=" {
		t.Errorf(`quickXorHash("hello world") = %s`, got)
	}
	h.Reset()
	if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" {
		t.Errorf("empty input: %s", got)
	}
	// The folded implementation equals the bit-by-bit one for any length and any way of
	// splitting the input into writes.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 159, 160, 161, 319, 320, 1000, 4096 + 13} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want := referenceQuickXor(data)
		h := newQuickXorHash()
		for rest := data; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(400))
			h.Write(rest[:k])
			rest = rest[k:]
		}
		if got := h.Sum(nil); string(got) != string(want) {
			t.Errorf("n=%d: %x, want %x", n, got, want)
		}
	}
}
