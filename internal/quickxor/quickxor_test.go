package quickxor

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// model is the hash exactly as Microsoft's description states it, one bit at a time: byte i,
// rotated left by 11·i bits in a 160-bit block, XORed in; then the length, as a little-endian
// int64, XORed into the last 8 of the block's 20 bytes (the sample code's layout: bit k of the
// block is bit k%8 of byte k/8).
func model(p []byte) []byte {
	var reg [Size]byte
	for i, b := range p {
		for bit := range 8 {
			if b&(1<<bit) == 0 {
				continue
			}
			k := (11*i + bit) % 160
			reg[k/8] ^= 1 << (k % 8)
		}
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
	for i := range n {
		reg[12+i] ^= n[i]
	}
	return reg[:]
}

// TestWorkedExamples are small inputs worked out by hand from the description: one byte stays
// where it is; a second byte lands at bit 11 (byte 1, shifted 3, its top bits spilling into
// byte 2); the length sits in bytes 12-19.
func TestWorkedExamples(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want string
	}{
		{nil, "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
		{[]byte{0x4a}, "SgAAAAAAAAAAAAAAAQAAAAAAAAA="},                 // 4a 00… 01 (length) at byte 12
		{[]byte{0xb5, 0xb4}, "taAFAAAAAAAAAAAAAgAAAAAAAAA="},           // b5, b4<<3=a0, b4>>5=05
		{bytes.Repeat([]byte{0}, 160), "AAAAAAAAAAAAAAAAoAAAAAAAAAA="}, // zeros: only the length, 160
	} {
		h := New()
		h.Write(c.in)
		if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != c.want {
			t.Errorf("%x: got %s, want %s", c.in, got, c.want)
		}
		if got := base64.StdEncoding.EncodeToString(model(c.in)); got != c.want {
			t.Errorf("model %x: got %s, want %s", c.in, got, c.want)
		}
	}
}

// TestMatchesTheModel checks the lane-folding Write against the bit-by-bit model for lengths
// around every multiple of the block, written whole and in uneven pieces.
func TestMatchesTheModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 19, 20, 21, 159, 160, 161, 319, 320, 321, 1000, 4096, 65537} {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		want := model(p)
		whole := New()
		whole.Write(p)
		if got := whole.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("n=%d whole: got %x, want %x", n, got, want)
		}
		for _, step := range []int{1, 3, 11, 64, 159, 161, 1000} {
			h := New()
			for i := 0; i < len(p); i += step {
				h.Write(p[i:min(i+step, len(p))])
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("n=%d step=%d: got %x, want %x", n, step, got, want)
			}
		}
	}
}

func TestSumLeavesTheStateAndReset(t *testing.T) {
	h := New()
	h.Write([]byte("hello "))
	mid := h.Sum([]byte("x"))
	if len(mid) != 1+Size || mid[0] != 'x' {
		t.Fatalf("Sum must append: %x", mid)
	}
	h.Write([]byte("world"))
	if got, want := h.Sum(nil), model([]byte("hello world")); !bytes.Equal(got, want) {
		t.Fatalf("after Sum: got %x, want %x", got, want)
	}
	h.Reset()
	if got := h.Sum(nil); !bytes.Equal(got, make([]byte, Size)) {
		t.Fatalf("after Reset: %x", got)
	}
	if h.Size() != Size || h.BlockSize() != BlockSize {
		t.Fatal("sizes")
	}
}

func BenchmarkWrite(b *testing.B) {
	p := make([]byte, 1<<20)
	h := New()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		h.Write(p)
	}
}
