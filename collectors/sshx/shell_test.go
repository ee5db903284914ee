package sshx

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
)

type captureWriter struct{ bytes.Buffer }

func (c *captureWriter) Close() error { return nil }

func testShell() (*shell, *captureWriter) {
	w := &captureWriter{}
	return &shell{stdin: w, log: slog.New(slog.DiscardHandler), limit: 1 << 20}, w
}

const (
	iosErase  = "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b"
	cucmPager = "Press <enter> for 1 line, <space> for one page, or <q> to quit"
	cucmBold  = "\x1b[1m" + cucmPager + "\x1b[0m\x1b[K"
	// A Catalyst's erase: nine backspaces, eight spaces, nine backspaces.
	iosErase989 = "\b\b\b\b\b\b\b\b\b        \b\b\b\b\b\b\b\b\b"
)

// TestPagerFilter feeds pager prompts as IOS, ASA and CUCM print them,
// whole or split across reads, and checks that each is answered once with
// a space and removed with its erase sequence, leaving the text intact.
func TestPagerFilter(t *testing.T) {
	cucmErase := "\r" + strings.Repeat(" ", len(cucmPager)) + "\r"
	tests := []struct {
		name    string
		chunks  []string
		want    string
		answers int
	}{
		{"ios", []string{"line1\r\nline2\r\n --More-- ", iosErase + " line3\r\nsw1#"}, "line1\r\nline2\r\n line3\r\nsw1#", 1},
		{"ios split marker", []string{"a\r\n --Mo", "re-- ", iosErase + "b\r\n"}, "a\r\nb\r\n", 1},
		{"ios split erase", []string{"a\r\n --More-- ", iosErase[:5], iosErase[5:15], iosErase[15:] + "  indented\r\n"}, "a\r\n  indented\r\n", 1},
		{"ios byte by byte", strings.Split("a\r\n --More-- "+iosErase+"b\r\nsw1#", ""), "a\r\nb\r\nsw1#", 1},
		{"asa", []string{"x\r\n<--- More --->", "\r              \rinterface y\r\n"}, "x\r\ninterface y\r\n", 1},
		{"cucm", []string{"r1\r\n" + cucmPager, cucmErase + "r2\r\nadmin:"}, "r1\r\nr2\r\nadmin:", 1},
		// CUCM prints its pager in bold and clears to the end of the line
		// (Cisco's unicon VOS plugin, cited in internal/devsim/shapes.go).
		{"cucm bold", []string{"r1\r\n" + cucmBold, cucmErase + "r2\r\nadmin:"}, "r1\r\nr2\r\nadmin:", 1},
		{"cucm bold split in the escape", []string{"r1\r\n" + cucmBold[:len(cucmBold)-5], cucmBold[len(cucmBold)-5:] + cucmErase + "r2\r\n"}, "r1\r\nr2\r\n", 1},
		{"cucm bold split after the text", []string{"r1\r\n\x1b[1m" + cucmPager, "\x1b[0m\x1b[K" + cucmErase + "r2\r\n"}, "r1\r\nr2\r\n", 1},
		{"cucm bold byte by byte", strings.Split("r1\r\n"+cucmBold+cucmErase+"r2\r\nadmin:", ""), "r1\r\nr2\r\nadmin:", 1},
		{"erase with an escape", []string{"a\r\n --More-- ", "\r\x1b[K  b\r\n"}, "a\r\n  b\r\n", 1},
		{"ios nine/eight/nine erase", []string{"a\r\n --More-- ", iosErase989 + "     0 output errors\r\n"}, "a\r\n     0 output errors\r\n", 1},
		{"colour kept for the reader", []string{"\x1b[1mbold\x1b[0m\r\n"}, "\x1b[1mbold\x1b[0m\r\n", 0},
		{"unterminated escape released", []string{"x\x1b[", "1mbold\r\n"}, "x\x1b[1mbold\r\n", 0},
		{"two pages", []string{"a\r\n --More-- ", iosErase + "b\r\n --More-- ", iosErase + "c\r\n"}, "a\r\nb\r\nc\r\n", 2},
		{"held dash", []string{"abc -", "def\r\n"}, "abc -def\r\n", 0},
		{"marker mid-line", []string{"text --More-- more text\r\n"}, "text --More-- more text\r\n", 0},
		{"prompt only", []string{"sw1#"}, "sw1#", 0},
	}
	for _, tc := range tests {
		sh, w := testShell()
		var out []byte
		for _, c := range tc.chunks {
			out = sh.filter(out, []byte(c))
		}
		out = append(out, sh.pend...) // what a further read would release
		if string(out) != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, out, tc.want)
		}
		if got := w.String(); got != strings.Repeat(" ", tc.answers) {
			t.Errorf("%s: wrote %q, want %d space(s)", tc.name, got, tc.answers)
		}
	}
}

// TestOutputLimit: the shell fails once a command's output passes the
// limit, reports it once and io.EOF after, and the count restarts with
// each command.
func TestOutputLimit(t *testing.T) {
	sh, _ := testShell()
	sh.limit = 100
	sh.stdout = strings.NewReader(strings.Repeat("x", 60) + strings.Repeat("y", 60))
	b, err := sh.Read(60)
	if err != nil || len(b) != 60 {
		t.Fatalf("first read: %d bytes, %v", len(b), err)
	}
	if _, err := sh.Read(60); err == nil || err.Error() != "output exceeds 100 bytes limit" {
		t.Fatalf("second read: %v, want the limit error", err)
	}
	if _, err := sh.Read(60); err == nil || err.Error() != "EOF" {
		t.Errorf("after the limit: %v, want EOF", err)
	}
	if err := sh.Write([]byte("show version")); err == nil {
		t.Error("a failed shell still writes")
	}

	sh, _ = testShell()
	sh.limit = 100
	sh.stdout = strings.NewReader(strings.Repeat("x", 180))
	if _, err := sh.Read(90); err != nil {
		t.Fatal(err)
	}
	if err := sh.Write([]byte("show version")); err != nil {
		t.Fatal(err)
	}
	if _, err := sh.Read(90); err != nil {
		t.Errorf("count did not restart with the command: %v", err)
	}
}

// chunks reads one string per Read, as a device's packets arrive.
type chunks []string

func (c *chunks) Read(p []byte) (int, error) {
	if len(*c) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*c)[0])
	(*c)[0] = (*c)[0][n:]
	if (*c)[0] == "" {
		*c = (*c)[1:]
	}
	return n, nil
}

// TestPromptAfterSplitEscape: a CUCM prompt may follow an erase-line
// sequence (Cisco's unicon VOS plugin allows "\x1b[K" before "admin:",
// see internal/devsim/shapes.go). Cut between two reads, the sequence is
// still removed whole and the last line is the prompt.
func TestPromptAfterSplitEscape(t *testing.T) {
	sh, _ := testShell()
	sh.stdout = &chunks{"row\r\n\x1b[", "Kadmin:"}
	var buf []byte
	for range 2 {
		var err error
		if buf, err = sh.readAppend(buf); err != nil {
			t.Fatal(err)
		}
	}
	if last := tailLine(buf); !cucmPrompt.Match(last) {
		t.Errorf("last line %q is not the CUCM prompt (read %q)", last, buf)
	}
}

// FuzzFilter: any byte stream split anywhere goes through the pager
// filter without panic; a stream without pager prompt characters comes out
// unchanged, and no more answers go out than prompts came in.
func FuzzFilter(f *testing.F) {
	f.Add([]byte("a\r\n --More-- "+iosErase+"b\r\n"), uint8(3))
	f.Add([]byte("x\r\n<--- More --->\r    \ry"), uint8(1))
	f.Add([]byte(cucmPager+"\r \r"), uint8(7))
	f.Add([]byte("plain output\r\nsw1#"), uint8(2))
	f.Add([]byte("r1\r\n"+cucmBold+"\r \r\x1b[Kr2\r\nadmin:"), uint8(5))
	f.Add([]byte("\x1b[1mbold\x1b[0m \x1b[31"), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		sh, w := testShell()
		n := int(step%16) + 1
		var out []byte
		for i := 0; i < len(data); i += n {
			out = sh.filter(out, data[i:min(i+n, len(data))])
		}
		out = append(out, sh.pend...)
		if !bytes.ContainsAny(data, "-<P \b\r") && !bytes.Equal(out, data) {
			t.Fatalf("changed %q into %q", data, out)
		}
		prompts := bytes.Count(data, []byte("--More--")) + bytes.Count(data, []byte("<--- More --->")) + bytes.Count(data, []byte(cucmPager))
		if w.Len() > prompts {
			t.Fatalf("%d answers for %d prompts", w.Len(), prompts)
		}
		if len(out) > len(data) {
			t.Fatalf("output longer than input")
		}
	})
}
