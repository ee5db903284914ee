package cucm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
)

func TestCommands(t *testing.T) {
	cmds := Commands()
	keys := map[string]int{}
	for i, c := range cmds {
		keys[c.Key] = i
		if c.Parse == nil || !strings.HasPrefix(c.CLI, "run sql select ") || strings.ContainsAny(c.CLI, "\r\n;") {
			t.Errorf("command %q: not a single read-only run sql select with a parser: %q", c.Key, c.CLI)
		}
		// The saved outputs under testdata echo the query; they must be
		// outputs of the query kaudit actually sends.
		data := readTestdata(t, c.Key+".txt")
		var echo strings.Builder
		facts.Lines(data, func(ln facts.Line) bool {
			if ln.N > 1 && strings.Contains(ln.Text, "  ") {
				return false // the header: the echo is over
			}
			echo.WriteString(ln.Text)
			return true
		})
		// Spaces are dropped before comparing: where the terminal wrapped
		// the echo, a space at the wrap point was trimmed with the line.
		nospace := func(s string) string { return strings.ReplaceAll(s, " ", "") }
		if got := strings.TrimPrefix(echo.String(), "admin:"); nospace(got) != nospace(c.CLI) {
			t.Errorf("testdata/%s.txt echoes\n%q\nbut the command is\n%q", c.Key, got, c.CLI)
		}
	}
	for _, k := range []string{KeySIPProfiles, KeyProcessConfig, KeyPhones} {
		if _, ok := keys[k]; !ok {
			t.Errorf("no command %q", k)
		}
	}
	if len(keys) != len(cmds) {
		t.Error("duplicate command keys")
	}
	if keys[KeySIPProfiles] > keys[KeyPhones] {
		t.Error("phones are parsed before SIP profiles, so pkids cannot be resolved")
	}
}

// TestApply runs the commands the way an offline audit does, reading
// testdata/<key>.txt, and checks the facts a rule would use.
func TestApply(t *testing.T) {
	d := &facts.Device{Name: "cucm-pub", Platform: facts.PlatformCUCM}
	collectors.Apply(d, Commands(), func(key string) ([]byte, error) {
		return os.ReadFile(filepath.Join("testdata", key+".txt"))
	})
	if d.Status != facts.StatusOK || len(d.Errors) > 0 || len(d.Missing) > 0 {
		t.Fatalf("status %s, errors %v, missing %v", d.Status, d.Errors, d.Missing)
	}
	c := d.CUCM
	if len(c.SIPProfiles) != 4 || len(c.ServiceParams) != 7 || len(c.Phones) != 5 {
		t.Fatalf("%d profiles, %d params, %d phones", len(c.SIPProfiles), len(c.ServiceParams), len(c.Phones))
	}
	profile := map[string]facts.SIPProfile{}
	for _, p := range c.SIPProfiles {
		profile[p.Name] = p
	}
	for _, ph := range c.Phones {
		if ph.Protocol == "SIP" {
			if _, ok := profile[ph.SIPProfile]; !ok {
				t.Errorf("SIP phone %s names profile %q, which was not read", ph.Name, ph.SIPProfile)
			}
		} else if ph.SIPProfile != "" {
			t.Errorf("SCCP phone %s has SIP profile %q", ph.Name, ph.SIPProfile)
		}
	}
	if got := profile["Branch Phones SIP Profile"].KeepaliveExpiresSeconds; got != 300 {
		t.Errorf("branch profile keepalive expires %d, want 300", got)
	}
	k := KeepaliveParams(c)
	if k.SIP.Seconds != 120 || k.SCCP.Seconds != 30 || k.SCCPBackup.Seconds != 60 {
		t.Errorf("keepalives %+v", k)
	}

	// A broken output is reported against its key; the others still count.
	d = &facts.Device{Name: "cucm-pub", Platform: facts.PlatformCUCM}
	collectors.Apply(d, Commands(), func(key string) ([]byte, error) {
		switch key {
		case KeySIPProfiles:
			return readTestdata(t, "bad_timer.txt"), nil
		case KeyPhones:
			return nil, fs.ErrNotExist
		}
		return os.ReadFile(filepath.Join("testdata", key+".txt"))
	})
	if d.Status != facts.StatusPartial || len(d.Errors) != 1 || d.Errors[0].Key != KeySIPProfiles || d.Errors[0].Line != 6 {
		t.Errorf("status %s, errors %v", d.Status, d.Errors)
	}
	if d.CUCM == nil || len(d.CUCM.SIPProfiles) != 0 || len(d.CUCM.ServiceParams) != 7 {
		t.Errorf("facts after a broken output: %+v", d.CUCM)
	}
}

// TestCorpus parses any real CUCM output added to the shared corpus. There
// is none yet (corpus/cucm/README.md), so this skips loudly until there is.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	if dir == "" {
		t.Skip("SKIP: shared corpus (../shared/corpus) not found; real CUCM outputs not checked")
	}
	parsers := map[string]func([]byte, *facts.Device) error{}
	for _, c := range Commands() {
		parsers[c.Key] = c.Parse
	}
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "cucm"), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".txt") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		key := strings.TrimSuffix(filepath.Base(path), ".txt")
		parse, ok := parsers[key]
		if !ok {
			if _, err := ParseTable(key, data); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		} else if err := parse(data, &facts.Device{Name: "corpus"}); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		n++
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if n == 0 {
		t.Skip("SKIP: no CUCM outputs in the shared corpus (corpus/cucm has none); parsers checked on testdata only")
	}
}
