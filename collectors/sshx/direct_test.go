package sshx

import (
	"bytes"
	"testing"
)

func TestEchoEnd(t *testing.T) {
	tests := []struct {
		name, in, out string
		want          int
	}{
		{"plain echo", "show version", "show version\nCisco IOS", len("show version")},
		{"late prompt before the echo", "show version", "\nsw1#show version\nCisco", len("\nsw1#show version")},
		{"wrapped echo", "show running-config", "show runn\ning-config\n", len("show runn\ning-config")},
		{"backspaces in the echo", "show clock", "show c \b\block\n", len("show c \b\block")},
		{"no echo", "show version", "\nsw1#", -1},
		{"empty output", "show version", "", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := echoEnd([]byte(tc.in), []byte(tc.out)); got != tc.want {
				t.Errorf("echoEnd(%q, %q) = %d, want %d", tc.in, tc.out, got, tc.want)
			}
		})
	}
}

func TestTrimOutput(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"prompt line dropped", "line 1\nline 2\nsw1#", "line 1\nline 2"},
		{"trailing spaces per line", "a  \n b \nsw1#", "a\n b"},
		{"blank lines at both ends", "\n\nx\n\n\nsw1#", "x"},
		{"blank lines inside kept", "x\n\ny\nsw1#", "x\n\ny"},
		{"only a prompt", "sw1#", ""},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(trimOutput([]byte(tc.in))); got != tc.want {
				t.Errorf("trimOutput(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzTrimOutput: trimOutput works in place on any bytes and leaves no
// trailing spaces, no prompt line and no blank line at either end.
func FuzzTrimOutput(f *testing.F) {
	for _, s := range []string{"a  \nb\nsw1#", "\n\n", "x", "  \n  \n", "show version\nCisco\r\nsw1# "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		last := tailLine(in)
		want := len(in) - len(last)
		got := trimOutput(bytes.Clone(in))
		if len(got) > want {
			t.Fatalf("output %q longer than the input before its last line (%d)", got, want)
		}
		if bytes.HasPrefix(got, []byte("\n")) || bytes.HasSuffix(got, []byte("\n")) {
			t.Fatalf("blank line at an end: %q", got)
		}
		for _, l := range bytes.Split(got, []byte("\n")) {
			if bytes.HasSuffix(l, []byte(" ")) {
				t.Fatalf("trailing space kept: %q", got)
			}
		}
		if e := echoEnd([]byte("show"), in); e > len(in) {
			t.Fatalf("echoEnd past the end: %d > %d", e, len(in))
		}
	})
}
