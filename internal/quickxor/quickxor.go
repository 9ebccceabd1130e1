// Package quickxor is OneDrive's QuickXorHash, the content hash Microsoft Graph gives for files on
// every drive type (file.hashes.quickXorHash, base64), written from Microsoft's description and
// sample (OneDrive/onedrive-api-docs, docs/code-snippets/quickxorhash.md).
//
// The hash is a 160-bit register: byte i of the input is XORed in at bit (11·i) mod 160, rotating
// round the register's end; the register, as 20 bytes with bit k in bit k%8 of byte k/8 (the
// sample's three little-endian 64-bit cells, the last one cut to 32 bits), then has the input's
// length as a little-endian int64 XORed into its last 8 bytes.
//
// Where a byte lands depends only on i mod 160, and XOR is linear, so Write does not place bytes
// one at a time: it XORs the input into 160 lanes (lane j holds the XOR of every byte at a
// position ≡ j mod 160), 160 bytes at a time with crypto/subtle's vectorised XOR, and Sum rotates
// each lane into place once. Writing costs about what reading the bytes does.
//
// It imports only the standard library.
package quickxor

import (
	"crypto/subtle"
	"encoding/binary"
	"hash"
)

// Size is the digest's length in bytes.
const Size = 20

// BlockSize is the stretch after which byte positions repeat.
const BlockSize = 160

const shift = 11

type digest struct {
	lanes [BlockSize]byte
	off   int    // length mod BlockSize: the lane the next byte goes to
	n     uint64 // length
}

// New returns a QuickXorHash.
func New() hash.Hash { return &digest{} }

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }
func (d *digest) Reset()         { *d = digest{} }

// Write never fails.
func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	d.n += uint64(n)
	if d.off > 0 {
		k := min(len(p), BlockSize-d.off)
		subtle.XORBytes(d.lanes[d.off:d.off+k], d.lanes[d.off:d.off+k], p[:k])
		p = p[k:]
		d.off = (d.off + k) % BlockSize
	}
	for len(p) >= BlockSize {
		subtle.XORBytes(d.lanes[:], d.lanes[:], p[:BlockSize])
		p = p[BlockSize:]
	}
	if len(p) > 0 {
		subtle.XORBytes(d.lanes[:len(p)], d.lanes[:len(p)], p)
		d.off = len(p)
	}
	return n, nil
}

// Sum appends the digest to b; d is unchanged.
func (d *digest) Sum(b []byte) []byte {
	var reg [Size]byte
	for j, v := range d.lanes {
		if v == 0 {
			continue
		}
		bit := j * shift % (Size * 8)
		at, sh := bit/8, uint(bit%8)
		reg[at] ^= v << sh
		if sh != 0 {
			reg[(at+1)%Size] ^= v >> (8 - sh)
		}
	}
	var length [8]byte
	binary.LittleEndian.PutUint64(length[:], d.n)
	for i, v := range length {
		reg[Size-8+i] ^= v
	}
	return append(b, reg[:]...)
}
