package capture

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderGolden compares the text, Markdown and SVG renderings with
// golden files (rewrite them with go test ./capture -run Golden -update).
func TestRenderGolden(t *testing.T) {
	single, err := Analyze(context.Background(), "testdata/seed_case2.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := AnalyzePair(context.Background(), "testdata/pair_phone.pcap", "testdata/pair_cucm.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	arp, err := Analyze(context.Background(), "testdata/proxy_arp.pcap", Options{ASAMACs: []string{"58:8d:09:4e:07:1f"}, CallManagers: []string{"10.10.10.202"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		render func(io.Writer) error
	}{
		{"seed_case2.txt", single.WriteText},
		{"seed_case2.md", single.WriteMarkdown},
		{"seed_case2.svg", func(w io.Writer) error { return WriteSVG(w, single.Files[0].Timelines[0]) }},
		{"pair.md", pair.WriteMarkdown},
		{"pair_phone.svg", func(w io.Writer) error { return WriteSVG(w, pair.Files[0].Timelines[0]) }},
		{"proxy_arp.txt", arp.WriteText},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.render(&buf); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", tc.name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the golden file (run with -update if intended):\n%s", tc.name, buf.String())
			}
		})
	}
}

func TestRenderContent(t *testing.T) {
	an, err := Analyze(context.Background(), "testdata/seed_case2.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var txt, md bytes.Buffer
	if err := an.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if err := an.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CRITICAL registration-lost", "143.0 s", "28 s", "10 keepalives: 9 retransmitted, 4 late, 1 lost"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q", want)
		}
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if !strings.Contains(md.String(), "| # | sent | cseq |") || !strings.Contains(md.String(), "\n## Verdicts\n") {
		t.Error("markdown has no tables or headings")
	}
}

// TestSVG: well-formed, self-contained, one tick per keepalive, one red
// mark per retransmission, the expired window drawn.
func TestSVG(t *testing.T) {
	fa := analyzeFile(t, "testdata/seed_case2.pcap", Options{})
	tl := fa.Timelines[0]
	var buf bytes.Buffer
	if err := WriteSVG(&buf, tl); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	dec := xml.NewDecoder(strings.NewReader(s))
	counts := map[string]int{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
			for _, a := range se.Attr {
				if strings.Contains(strings.ToLower(a.Name.Local), "href") || strings.Contains(a.Value, "url(") {
					t.Errorf("external reference %s=%q", a.Name.Local, a.Value)
				}
			}
			if se.Name.Local == "script" || se.Name.Local == "image" || se.Name.Local == "foreignObject" {
				t.Errorf("element <%s> in a self-contained SVG", se.Name.Local)
			}
		}
	}
	if counts["svg"] != 1 {
		t.Fatalf("elements %v", counts)
	}
	retx := 0
	for _, k := range tl.Keepalives {
		retx += len(k.Retransmissions)
	}
	// Legend adds one triangle.
	if got := strings.Count(s, `fill="#d00000"><title>retransmission`); got != retx || retx != 9 {
		t.Errorf("%d retransmission marks, want %d", got, retx)
	}
	if got := strings.Count(s, `stroke-width="2"><title>#`); got != len(tl.Keepalives) {
		t.Errorf("%d keepalive ticks, want %d", got, len(tl.Keepalives))
	}
	if !strings.Contains(s, "expired: registration lost") || strings.Count(s, ">lost</text>") != 1 {
		t.Error("the lost keepalive's expired window is not drawn")
	}
	// An empty timeline still renders.
	buf.Reset()
	if err := WriteSVG(&buf, &Timeline{Phone: "10.0.0.1", CallManager: "10.0.0.2", Protocol: "SCCP"}); err != nil || !strings.HasSuffix(buf.String(), "</svg>\n") {
		t.Errorf("empty timeline: %v", err)
	}
}
