package precheck

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// addPatchSeeds seeds f with every sample configuration crossed with every
// sample patch, and with extra, the pairs a target cares about most.
func addPatchSeeds(f *testing.F, extra ...[2]string) {
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
	for _, e := range extra {
		f.Add([]byte(e[0]), []byte(e[1]))
	}
}

func FuzzApplyPatch(f *testing.F) {
	addPatchSeeds(f)
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
		// An empty patch changes no line of the config (each patch line
		// can remove a section, so only the empty patch is checked
		// exactly).
		if len(splitLines(patch)) == 0 && !slices.Equal(splitLines(out), splitLines(cfg)) {
			t.Fatalf("an empty patch changed the config")
		}
	})
}

// FuzzPatchIdempotent checks that applying a patch twice gives the same
// configuration, line for line and in the same order, as applying it once
// (a change ticket pasted twice must not read as a different change), and
// that the "no" form of a command the patch adds removes exactly what the
// command added.
func FuzzPatchIdempotent(f *testing.F) {
	addPatchSeeds(f,
		[2]string{"mac address-table aging-time 60 vlan 200\n", "mac address-table aging-time 120\n"},
		[2]string{"interface Gi1/0/1\n switchport port-security maximum 2 vlan voice\n", "interface Gi1/0/1\n switchport port-security maximum 3\n"},
		[2]string{"sysopt noproxyarp outside\n", "sysopt noproxyarp voice\n"},
		[2]string{"timeout xlate 3:00:00\n", "no timeout xlate\ntimeout xlate 1:00:00\ntimeout conn 0:30:00\n"},
	)
	f.Fuzz(func(t *testing.T, cfg, patch []byte) {
		once, _, err := ApplyPatch(cfg, patch, "fuzz.txt")
		if err != nil {
			return // FuzzApplyPatch checks the errors
		}
		twice, _, err := ApplyPatch(once, patch, "fuzz.txt")
		if err != nil {
			t.Fatalf("patched config refused on a second pass: %v", err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("applying the patch twice differs from once:\nonce:\n%s\ntwice:\n%s", once, twice)
		}
		checkNoForms(t, cfg, patch)
	})
}

// maxProbes bounds the commands of one fuzzed patch whose "no" forms are
// checked: each costs four applications.
const maxProbes = 8

// checkNoForms takes each command the patch enters (in its sections) as a
// patch of its own and, when that command adds one line to cfg and its "no"
// form would remove nothing from cfg, checks that the "no" form removes the
// added line and nothing else: typed with the command's value, and typed
// without it ("no mac address-table aging-time" for "mac address-table
// aging-time 120").
func checkNoForms(t *testing.T, cfg, patch []byte) {
	ops, _, err := parsePatch(patch, "fuzz.txt")
	if err != nil {
		return
	}
	base := splitLines(cfg)
	n := 0
	for _, o := range ops {
		if o.kind != opSet || o.header || o.banner != nil {
			continue
		}
		if n++; n > maxProbes {
			return
		}
		var ctx []string
		var enter strings.Builder
		for i, h := range o.path {
			enter.WriteString(strings.Repeat(" ", i) + strings.Join(h, " ") + "\n")
			ctx = h
		}
		indent := strings.Repeat(" ", len(o.path))
		set := enter.String() + indent + o.text + "\n"
		added, _, err := ApplyPatch(cfg, []byte(set), "probe.txt")
		if err != nil || !oneLineAdded(base, splitLines(added)) {
			continue
		}
		nos := []string{o.text}
		if w := withoutValue(ctx, o.words); w != nil {
			nos = append(nos, strings.Join(w, " "))
		}
		for _, cmd := range nos {
			no := enter.String() + indent + "no " + cmd + "\n"
			if noop, _, err := ApplyPatch(cfg, []byte(no), "probe.txt"); err != nil || !slices.Equal(splitLines(noop), base) {
				continue // the no form has something of cfg to remove
			}
			back, _, err := ApplyPatch(added, []byte(no), "probe.txt")
			if err != nil {
				t.Fatalf("%q refused after %q: %v", no, set, err)
			}
			if got := splitLines(back); !slices.Equal(got, base) {
				t.Fatalf("%q after %q does not give back the config:\nafter the command:\n%s\nafter its no form:\n%s", no, set, added, back)
			}
		}
	}
}

// oneLineAdded reports whether b is a with one line inserted.
func oneLineAdded(a, b []string) bool {
	if len(b) != len(a)+1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return slices.Equal(a[i:], b[i+1:])
}

// withoutValue returns the command w (in the section headed by ctx) with
// its one value left out, or nil when it has no value or several, or is a
// list entry (the whole line is the entry: there is no value to leave out).
func withoutValue(ctx, w []string) []string {
	if isList(ctx, w) {
		return nil
	}
	if n := timerPrefix(ctx, w); n > 0 {
		if segs, ok := parseTimers(w[n:]); ok && len(segs) > 1 {
			return nil // several timers on one line
		}
	}
	if inObject(ctx) {
		if p := matchPrefix(w, objectValuePrefixes); p != nil && len(p) < len(w) {
			return p
		}
	}
	if p := matchPrefix(w, valuePrefixes); p != nil {
		if len(p) < len(w) {
			return p
		}
		return nil
	}
	id := identify(ctx, w)
	if !id.value {
		return nil
	}
	i := id.key
	for i < len(w) && isValue(w[i]) {
		i++
	}
	out := append(append([]string(nil), w[:id.key]...), w[i:]...)
	if identify(ctx, out).value {
		return nil
	}
	return out
}
