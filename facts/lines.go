package facts

import (
	"bytes"
	"unicode/utf8"
)

// MaxOutputBytes bounds one command output. The largest real outputs of the
// commands kaudit runs (a switch stack's running config, a 50,000-phone
// run sql table) stay below 10 MB; anything larger is a runaway or hostile
// device and is refused, not parsed.
const MaxOutputBytes = 32 << 20

// Line is one line of device output with its 1-based number. Text has CR,
// trailing spaces and tabs removed.
type Line struct {
	N    int
	Text string
}

// CheckText rejects output that cannot be device text: too large, or
// binary (a NUL byte or mostly invalid UTF-8 in the first 64 KiB).
func CheckText(key string, data []byte) error {
	if len(data) > MaxOutputBytes {
		return Errorf(key, 0, "output is %d bytes, more than the %d a command can print", len(data), MaxOutputBytes)
	}
	head := data
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return Errorf(key, 1+bytes.Count(head[:i], []byte{'\n'}), "binary data (NUL byte at offset %d): not device output", i)
	}
	if utf8.Valid(head) {
		return nil // the common case, checked many bytes at a time
	}
	bad := 0
	for i := 0; i < len(head); {
		r, size := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && size == 1 {
			bad++
		}
		i += size
	}
	if len(head) > 0 && bad*10 > len(head) {
		return Errorf(key, 0, "binary data (%d of %d bytes are not text): not device output", bad, len(head))
	}
	return nil
}

// Lines iterates over data line by line without copying the whole input,
// stripping CR and trailing blanks. fn returns false to stop.
func Lines(data []byte, fn func(Line) bool) {
	n := 0
	for len(data) > 0 {
		n++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimRight(line, " \t\r")
		if !fn(Line{N: n, Text: string(line)}) {
			return
		}
	}
}
