package capture

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

var update = flag.Bool("update", false, "rewrite generated testdata and golden files")

// TestTestdataIsGenerated keeps testdata/*.pcap* equal to what the
// generator writes: the captures are ours, built by pcapgen, never edited
// by hand. Regenerate with `go generate ./capture` or -update.
func TestTestdataIsGenerated(t *testing.T) {
	for _, s := range pcapgen.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			want, _, err := s.Build()
			if err != nil {
				t.Fatal(err)
			}
			if len(want) >= 200<<10 {
				t.Errorf("%s is %d bytes; testdata captures must stay under 200 KB", s.Name, len(want))
			}
			path := filepath.Join("testdata", s.Name)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go generate ./capture)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the generator's output (run go generate ./capture)", path)
			}
		})
	}
}
