package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Outputs holds the command outputs of a run until SaveRun stores them
// beside its facts: a recorded run can then be patched (check --store
// --patch) and written back out in the offline layout. Each output is
// hashed and compressed as it is added, so a 10,000-device audit holds
// its outputs at a tenth of their size, and the store keeps an output
// that did not change since an earlier run only once.
//
// The outputs given must already be redacted: the store keeps what it
// is given (the live collector redacts the audit's secrets before it
// parses or hands out an output).
type Outputs struct {
	mu   sync.Mutex
	devs map[int][]output
}

// output is one command output, ready to be stored.
type output struct {
	key string
	h   hash   // sha256 of the text
	gz  []byte // the text, compressed
}

// NewOutputs returns an empty set of outputs.
func NewOutputs() *Outputs { return &Outputs{devs: map[int][]output{}} }

var encoders = sync.Pool{New: func() any { return newEncoder() }}

// Set records the outputs of the device at position i of the run's
// snapshot (its inventory position), by command key, replacing any set
// before for it. outs is not retained. It is safe for concurrent use:
// a live audit's workers call it as each device is done.
func (o *Outputs) Set(i int, outs map[string][]byte) {
	list := make([]output, 0, len(outs))
	enc := encoders.Get().(*encoder)
	for k, v := range outs {
		list = append(list, output{key: k, h: sha256.Sum256(v), gz: enc.compress(v)})
	}
	encoders.Put(enc)
	slices.SortFunc(list, func(a, b output) int { return strings.Compare(a.key, b.key) })
	o.mu.Lock()
	defer o.mu.Unlock()
	o.devs[i] = list
}

// get returns the outputs of device i and whether any were set.
func (o *Outputs) get(i int) ([]output, bool) {
	if o == nil {
		return nil, false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.devs[i]
	return l, ok
}

// check refuses outputs for a device the snapshot does not have and keys
// that could not name a file of the offline layout.
func (o *Outputs) check(devices int) error {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, l := range o.devs {
		if i < 0 || i >= devices {
			return fmt.Errorf("outputs given for snapshot device %d, but the snapshot has %d", i, devices)
		}
		for _, out := range l {
			if !validKey(out.key) {
				return fmt.Errorf("snapshot device %d: output key %q is not a command key", i, out.key)
			}
		}
	}
	return nil
}

// validKey is a command key as platform tables spell them (show_arp,
// show_running-config_all_sysopt): it names DIR/<host>/<key>.txt, so it
// must not hold a separator, a space or a leading dot.
func validKey(k string) bool {
	if k == "" || k[0] == '.' || len(k) > 200 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// manifest lists a device's outputs, one "key sha256-hex" line each in
// key order: the blob a run_devices row refers to. Equal outputs give an
// equal manifest, so an unchanged device costs no new blob.
func manifest(outs []output) []byte {
	var b bytes.Buffer
	b.Grow(len(outs) * 100)
	for _, o := range outs {
		b.WriteString(o.key)
		b.WriteByte(' ')
		b.WriteString(o.h.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// manifestEntry is one line of a manifest.
type manifestEntry struct {
	key string
	h   hash
}

// parseManifest reads what manifest wrote.
func parseManifest(b []byte) ([]manifestEntry, error) {
	var out []manifestEntry
	for n, line := range strings.SplitAfter(string(b), "\n") {
		if line == "" {
			break // after the last newline
		}
		key, hx, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		var h hash
		if !ok || !validKey(key) || len(hx) != 2*len(h) || !strings.HasSuffix(line, "\n") {
			return nil, fmt.Errorf("outputs manifest line %d is malformed", n+1)
		}
		if _, err := hex.Decode(h[:], []byte(hx)); err != nil || hx != strings.ToLower(hx) {
			return nil, fmt.Errorf("outputs manifest line %d: bad hash %q", n+1, hx)
		}
		if len(out) > 0 && out[len(out)-1].key >= key {
			return nil, fmt.Errorf("outputs manifest line %d: key %s out of order", n+1, key)
		}
		out = append(out, manifestEntry{key: key, h: h})
	}
	return out, nil
}
