package capture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the analysis as indented JSON, the document
// json.Encoder with SetIndent("", "  ") writes, but one timeline at a
// time: the whole document is never held in memory, only the largest
// timeline's part of it.
func (an *Analysis) WriteJSON(w io.Writer) error {
	return an.writeJSON(w, func() {})
}

// writeJSON is WriteJSON calling encoded after each timeline is written
// to the buffer, so tests can see the output leave while timelines are
// still to come.
func (an *Analysis) writeJSON(w io.Writer, encoded func()) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	head := *an
	head.Files = []*FileAnalysis{}
	err := streamField(bw, &head, "", "files", len(an.Files), an.Files == nil, func(i int, prefix string) error {
		return writeFileJSON(bw, an.Files[i], prefix, encoded)
	})
	if err != nil {
		return err
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

func writeFileJSON(bw *bufio.Writer, fa *FileAnalysis, prefix string, encoded func()) error {
	head := *fa
	head.Timelines = []*Timeline{}
	return streamField(bw, &head, prefix, "timelines", len(fa.Timelines), fa.Timelines == nil, func(i int, prefix string) error {
		b, err := json.MarshalIndent(fa.Timelines[i], prefix, "  ")
		if err != nil {
			return err
		}
		bw.Write(b)
		encoded()
		return nil
	})
}

// streamField writes v, an object at prefix whose array field is empty
// ([]), with the n elements of that array written by elem in its place
// (null when isNil).
func streamField(bw *bufio.Writer, v any, prefix, field string, n int, isNil bool, elem func(i int, prefix string) error) error {
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		return err
	}
	// Keys are unique and a string value never holds a raw newline, so
	// the field's line is found only where the field is.
	mark := "\n" + prefix + "  " + `"` + field + `": `
	at := bytes.Index(b, []byte(mark+"[]"))
	if at < 0 {
		return fmt.Errorf("capture: JSON field %q not found", field)
	}
	at += len(mark)
	bw.Write(b[:at])
	switch {
	case isNil:
		bw.WriteString("null")
	case n == 0:
		bw.WriteString("[]")
	default:
		bw.WriteString("[\n")
		inner := prefix + "    "
		for i := 0; i < n; i++ {
			bw.WriteString(inner)
			if err := elem(i, inner); err != nil {
				return err
			}
			if i < n-1 {
				bw.WriteByte(',')
			}
			bw.WriteByte('\n')
		}
		bw.WriteString(prefix + "  ]")
	}
	_, err = bw.Write(b[at+2:])
	return err
}
