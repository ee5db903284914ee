package app

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// copyLab copies a bundled lab into a temporary directory, passing each
// file through edit (path relative to the lab, content) first; a file
// edit returns nil for is left out.
func copyLab(t *testing.T, lab string, edit func(rel string, b []byte) []byte) string {
	t.Helper()
	src := filepath.Join(labsDir, lab)
	dst := filepath.Join(t.TempDir(), lab)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if edit != nil {
			if b = edit(filepath.ToSlash(rel), b); b == nil {
				return nil // left out
			}
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// loadDir reads the snapshot of an offline directory.
func loadDir(t testing.TB, dir string) *facts.Snapshot {
	t.Helper()
	inv, err := offline.Load(dir)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	snap, err := offline.Collect(context.Background(), dir, inv)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return snap
}

// auditDir audits an offline directory with pol.
func auditDir(t *testing.T, dir string, pol policy.Policy) *report.Result {
	t.Helper()
	return Evaluate(loadDir(t, dir), pol, "offline "+dir, time.Date(2025, 3, 1, 2, 30, 0, 0, time.UTC), rules.Warning)
}

func fingerprints(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, rules.Fingerprint(f))
	}
	slices.Sort(out)
	return out
}

const asaConfig = "asa-edge/show_running-config.txt"

// insertAbove adds lines above the first line of an ASA config that
// starts with prefix.
func insertAbove(b []byte, prefix string, lines ...string) []byte {
	s := string(b)
	i := strings.Index(s, "\n"+prefix)
	if i < 0 {
		panic("no line " + prefix)
	}
	return []byte(s[:i+1] + strings.Join(lines, "\n") + "\n" + s[i+1:])
}

// Issue 14.1: a finding is known by what it is about, not where its line
// sits. Two unrelated lines added above the NAT rule, the same config
// with CRLF line ends, and the NAT rules in another order leave case 1's
// finding as it was: 0 new, 0 resolved, the same fingerprint, the waiver
// still matching. Editing the NAT rule itself is a new finding and the old
// one resolved.
func TestFindingIdentityIgnoresPosition(t *testing.T) {
	pol := policy.Default()
	pol.Waivers = []policy.Waiver{{Rule: "asa-proxy-arp-answers-for-call-manager", Device: "asa-edge",
		Object: "voice / nat * CUCM-PUB CUCM-PUB", Reason: "remote sites need it", Owner: "netops"}}
	base := auditDir(t, copyLab(t, "case1-proxy-arp", nil), pol)
	if len(base.Findings) != 1 {
		t.Fatalf("case 1: want one finding, got %+v", base.Findings)
	}
	if base.Findings[0].Waived == nil {
		t.Errorf("the waiver does not match %q", base.Findings[0].Object)
	}
	edits := map[string]func(rel string, b []byte) []byte{
		"two unrelated lines above": func(rel string, b []byte) []byte {
			if rel != asaConfig {
				return b
			}
			return insertAbove(b, "nat (voice,outside)", "dns domain-lookup outside", "same-security-traffic permit inter-interface")
		},
		"CRLF": func(rel string, b []byte) []byte {
			return []byte(strings.ReplaceAll(string(b), "\n", "\r\n"))
		},
		"NAT rules swapped": func(rel string, b []byte) []byte {
			if rel != asaConfig {
				return b
			}
			lines := strings.Split(string(b), "\n")
			for i := range lines[:len(lines)-1] {
				if strings.HasPrefix(lines[i], "nat (voice,outside) source") && strings.HasPrefix(lines[i+1], "nat (outside,voice)") {
					lines[i], lines[i+1] = lines[i+1], lines[i]
					return []byte(strings.Join(lines, "\n"))
				}
			}
			panic("NAT rules not found")
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			got := auditDir(t, copyLab(t, "case1-proxy-arp", edit), pol)
			d := Diff(1, 2, base.Findings, got.Findings, nil, nil)
			if len(d.New) != 0 || len(d.Resolved) != 0 || len(d.Open) != 1 {
				t.Errorf("%d new, %d resolved, %d open; want 0, 0, 1\nbefore %+v\nafter  %+v", len(d.New), len(d.Resolved), len(d.Open), base.Findings, got.Findings)
			}
			if !slices.Equal(fingerprints(got.Findings), fingerprints(base.Findings)) {
				t.Errorf("fingerprints changed: %v → %v", fingerprints(base.Findings), fingerprints(got.Findings))
			}
			if len(got.Findings) == 1 && got.Findings[0].Waived == nil {
				t.Errorf("the waiver no longer matches %q", got.Findings[0].Object)
			}
		})
	}
	t.Run("NAT rule edited", func(t *testing.T) {
		got := auditDir(t, copyLab(t, "case1-proxy-arp", func(rel string, b []byte) []byte {
			if rel != asaConfig {
				return b
			}
			return []byte(strings.Replace(string(b), "CUCM-PUB CUCM-PUB description", "CUCM-PUB CUCM-PUB unidirectional description", 1))
		}), pol)
		d := Diff(1, 2, base.Findings, got.Findings, nil, nil)
		if len(d.New) != 1 || len(d.Resolved) != 1 {
			t.Errorf("%d new, %d resolved; want 1 and 1 (the rule changed)\nafter %+v", len(d.New), len(d.Resolved), got.Findings)
		}
	})
}

// Within one run no two findings share a fingerprint: the fingerprint
// leaves the phones out, so each rule must name a distinct object per
// finding. And no object names a config line: lines move.
func TestLabFingerprintsUnique(t *testing.T) {
	labs, err := filepath.Glob(filepath.Join(labsDir, "*", "inventory.yaml"))
	if err != nil || len(labs) == 0 {
		t.Fatalf("no labs: %v", err)
	}
	for _, inv := range labs {
		lab := filepath.Base(filepath.Dir(inv))
		seen := map[string]rules.Finding{}
		for _, f := range auditLab(t, lab).Findings {
			fp := rules.Fingerprint(f)
			if g, dup := seen[fp]; dup {
				t.Errorf("%s: %s %s %q and %q share a fingerprint", lab, f.Rule, f.Device, g.Object, f.Object)
			}
			seen[fp] = f
			if lineRef.MatchString(f.Object) {
				t.Errorf("%s: %s %s: object %q names a config line", lab, f.Rule, f.Device, f.Object)
			}
		}
	}
}

var lineRef = regexp.MustCompile(`(?i)\bline \d`)
