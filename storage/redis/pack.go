package redis

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"sync"
)

// Contracts are stored compressed: their JSON repeats the terms in the
// working copy, each revision and the history, and deflate shrinks a
// typical active contract from about 3.8 KB to under 1 KB. A stored value
// that starts with packed is deflated JSON; anything else is JSON as it
// was written before compression, read as it is.
const packed = 0x01

// Compression runs on every save and decompression on every load, so both
// reuse their state: BestSpeed keeps nearly all of the saving on this kind
// of text at a fraction of the default level's CPU, and a pooled reader
// avoids allocating flate's 40 KB window per load.
var (
	writers = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed) // the level is valid
		return w
	}}
	readers = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
)

// pack compresses contract JSON for storage.
func pack(data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(data)/3 + 16)
	b.WriteByte(packed)
	w := writers.Get().(*flate.Writer)
	defer writers.Put(w)
	w.Reset(&b)
	w.Write(data) // writes to a bytes.Buffer do not fail
	w.Close()
	return b.Bytes()
}

// maxUnpacked bounds a stored contract after decompression, so a corrupt
// or hostile value cannot exhaust memory.
const maxUnpacked = 64 << 20

// unpack returns the contract JSON of a stored value.
func unpack(stored []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] != packed {
		return stored, nil
	}
	r := readers.Get().(io.ReadCloser)
	defer readers.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(stored[1:]), nil); err != nil {
		return nil, fmt.Errorf("decompress contract: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxUnpacked+1))
	if err != nil {
		return nil, fmt.Errorf("decompress contract: %w", err)
	}
	if len(data) > maxUnpacked {
		return nil, fmt.Errorf("decompress contract: over %d bytes", maxUnpacked)
	}
	return data, nil
}
