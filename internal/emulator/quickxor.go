package emulator

import (
	"encoding/binary"
	"hash"
)

// quickXorHash is OneDrive's QuickXorHash, written from Microsoft's description
// (OneDrive/onedrive-api-docs docs/code-snippets/quickxorhash.md): a 160-bit block where byte i
// of the input is XORed in at bit (11*i) mod 160, rotating; the block, as 20 bytes (bit k is bit
// k%8 of byte k/8, the layout of the page's sample code), then has the input's length, as a
// 64-bit little-endian number, XORed into its last 8 bytes. The digest is sent in base64.
//
// Since where a byte lands depends only on i mod 160, the bytes of a 160-byte stretch can be
// XORed together lane by lane first and placed once at the end (XOR is linear): Write folds
// the input into a 160-byte accumulator at memory speed, Sum rotates the 160 lanes into place.
type quickXorHash struct {
	acc [160]byte // acc[j] = XOR of the input bytes at positions ≡ j (mod 160)
	pos int       // length mod 160
	n   uint64    // length
}

func newQuickXorHash() hash.Hash { return &quickXorHash{} }

func (q *quickXorHash) Write(p []byte) (int, error) {
	n := len(p)
	q.n += uint64(n)
	for len(p) > 0 && q.pos != 0 {
		q.acc[q.pos] ^= p[0]
		q.pos = (q.pos + 1) % 160
		p = p[1:]
	}
	for len(p) >= 160 { // aligned: fold a whole stretch, 8 bytes at a time
		for j := 0; j < 160; j += 8 {
			v := binary.LittleEndian.Uint64(q.acc[j:]) ^ binary.LittleEndian.Uint64(p[j:])
			binary.LittleEndian.PutUint64(q.acc[j:], v)
		}
		p = p[160:]
	}
	for _, c := range p {
		q.acc[q.pos] ^= c
		q.pos++
	}
	return n, nil
}

func (q *quickXorHash) Sum(b []byte) []byte {
	var block [20]byte
	for j, c := range q.acc {
		if c == 0 {
			continue
		}
		at := (j * 11) % 160 // the bit where lane j's lowest bit lands
		for bit := range 8 {
			if c>>bit&1 == 1 {
				k := (at + bit) % 160
				block[k/8] ^= 1 << (k % 8)
			}
		}
	}
	var length [8]byte
	binary.LittleEndian.PutUint64(length[:], q.n)
	for i := range 8 {
		block[12+i] ^= length[i]
	}
	return append(b, block[:]...)
}

func (q *quickXorHash) Reset()         { *q = quickXorHash{} }
func (q *quickXorHash) Size() int      { return 20 }
func (q *quickXorHash) BlockSize() int { return 160 }
