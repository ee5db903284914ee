package events

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// MaxLine is the longest line read; a longer one is reported and
// skipped. RFC 5424 asks receivers to take 2048 octets and CUCM's alarms
// are well under that; 64 KiB leaves room for anything a syslog server
// adds.
const MaxLine = 64 << 10

// maxProblems is how many problem lines Stats keeps; the rest are counted.
const maxProblems = 20

// Stats says what reading found.
type Stats struct {
	// Files are the files read, in order.
	Files []string
	// Lines counts every line read; Alarms the registration alarms
	// recorded.
	Lines, Alarms int64
	// Duplicates counts unregistrations already read (the same file
	// twice, or logged twice).
	Duplicates int64
	// Untracked counts alarms of devices past Options.MaxDevices.
	Untracked int64
	// Malformed counts alarm lines that did not parse, lines over MaxLine
	// and read errors; Problems names the first of them.
	Malformed int64
	Problems  []Problem
}

// Problem is a line that could not be read.
type Problem struct {
	File string
	Line int64
	Err  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Err) }

func (s *Stats) problem(file string, line int64, err string) {
	s.Malformed++
	if len(s.Problems) < maxProblems {
		s.Problems = append(s.Problems, Problem{File: file, Line: line, Err: err})
	}
}

// Options bound what Read keeps.
type Options struct {
	// MaxDevices is how many devices are tracked (DefaultMaxDevices when
	// 0).
	MaxDevices int
}

// Read reads the registration alarms of every path: a syslog file
// (gzip-compressed or not) or a directory, whose regular files are read
// in name order, subdirectories included (hidden ones left out). A file
// given twice, or reached twice, is read once. A path that cannot be
// opened or a file that is not text is an error naming it; a line that
// cannot be read is a Problem and the rest is read.
func Read(ctx context.Context, paths []string, opt Options) (*History, error) {
	files, err := expand(paths)
	if err != nil {
		return nil, err
	}
	h := NewHistory(opt.MaxDevices)
	for _, f := range files {
		if err := h.readFile(ctx, f); err != nil {
			return h, err
		}
	}
	return h, nil
}

// expand lists the files of paths, each once.
func expand(paths []string) ([]string, error) {
	var out []string
	var seen []os.FileInfo
	add := func(path string, fi os.FileInfo) {
		for _, s := range seen {
			if os.SameFile(s, fi) {
				return
			}
		}
		seen = append(seen, fi)
		out = append(out, path)
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		if !fi.IsDir() {
			if !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("events: %s is not a regular file", p)
			}
			add(p, fi)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			// Links are not followed: a directory of logs is read as it is.
			if d.Type().IsRegular() {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("events: no files in %s", p)
		}
		slices.Sort(found)
		for _, f := range found {
			fi, err := os.Stat(f)
			if err != nil {
				return nil, fmt.Errorf("events: %w", err)
			}
			add(f, fi)
		}
	}
	return out, nil
}

func (h *History) readFile(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	defer f.Close()
	h.Stats.Files = append(h.Stats.Files, path)
	return h.ReadFrom(ctx, path, f)
}

// ReadFrom reads the alarms of one syslog stream, named name in problems.
// Gzip is recognised by its magic number. A stream that starts with
// binary data is an error; a read error part way is a Problem.
func (h *History) ReadFrom(ctx context.Context, name string, r io.Reader) error {
	br := bufio.NewReaderSize(r, MaxLine)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("events: %s: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, MaxLine)
	}
	head, _ := br.Peek(512)
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return fmt.Errorf("events: %s: binary data at byte %d, not a syslog text file", name, i)
	}
	var n int64
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 || err == nil {
			n++
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			h.Stats.problem(name, n, fmt.Sprintf("line longer than %d KiB, skipped", MaxLine>>10))
			if err := skipLine(br); err != nil && !errors.Is(err, io.EOF) {
				h.Stats.problem(name, n, err.Error())
				h.Stats.Lines += n
				return nil
			}
			continue
		case err != nil && !errors.Is(err, io.EOF):
			h.Stats.problem(name, n, "read: "+err.Error())
			h.Stats.Lines += n
			return nil
		}
		if len(line) > 0 {
			h.line(name, n, line)
		}
		if err != nil {
			break
		}
		if n%65536 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	h.Stats.Lines += n
	return nil
}

// line records the alarm of one line, or the reason it could not be read.
func (h *History) line(name string, n int64, line []byte) {
	a, ok, err := ParseLine(bytes.TrimRight(line, "\r\n"))
	switch {
	case err != nil:
		h.Stats.problem(name, n, err.Error())
	case ok:
		h.Add(a)
	}
}

// skipLine discards the rest of an overlong line.
func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}
