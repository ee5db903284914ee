package precheck

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func FuzzApplyPatch(f *testing.F) {
	var configs, patches [][]byte
	for _, name := range []string{"ios-access.txt", "asa-edge.txt"} {
		configs = append(configs, readTestdata(f, name))
	}
	if labConfigs, _ := filepath.Glob(filepath.Join(labs, "*", "*", RunningConfigKey+".txt")); len(labConfigs) > 0 {
		for _, p := range labConfigs[:min(4, len(labConfigs))] {
			if data, err := os.ReadFile(p); err == nil {
				configs = append(configs, data)
			}
		}
	}
	names, _ := filepath.Glob(filepath.Join("testdata", "patches", "*.txt"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		patches = append(patches, data)
	}
	patches = append(patches, []byte("interface Gi1/0/1\n switchport port-security aging time 5\n"), []byte("timeout conn 0:01:00 conn 0:02:00\n"), []byte(" x\n"))
	for _, c := range configs {
		for _, p := range patches {
			f.Add(c, p)
		}
	}
	f.Fuzz(func(t *testing.T, cfg, patch []byte) {
		out, _, err := ApplyPatch(cfg, patch, "fuzz.txt")
		if err != nil {
			var pe *PatchError
			var ce *facts.ParseError
			if !errors.As(err, &pe) && !errors.As(err, &ce) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if pe != nil && (pe.File != "fuzz.txt" || pe.Line < 0) {
				t.Fatalf("patch error without its file: %v", err)
			}
			return
		}
		// Every line of the config that the patch did not touch is still
		// there: the output has at least as many lines as the config minus
		// the patch's lines (each can remove a section, so only the empty
		// patch is checked exactly).
		if len(splitLines(patch)) == 0 && !slices.Equal(splitLines(out), splitLines(cfg)) {
			t.Fatalf("an empty patch changed the config")
		}
		again, _, err := ApplyPatch(out, patch, "fuzz.txt")
		if err != nil {
			t.Fatalf("patched config refused on a second pass: %v", err)
		}
		if a, b := sortedLines(out), sortedLines(again); !slices.Equal(a, b) {
			t.Fatalf("not idempotent:\n%q\n%q", a, b)
		}
	})
}
