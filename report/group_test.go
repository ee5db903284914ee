package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

func TestInterfaceRanges(t *testing.T) {
	got := InterfaceRanges([]string{"GigabitEthernet1/0/4", "GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "GigabitEthernet2/0/1", "GigabitEthernet1/0/3", "GigabitEthernet1/0/9", "voice / nat x"})
	want := "GigabitEthernet1/0/1 - 4|GigabitEthernet1/0/9|GigabitEthernet2/0/1|voice / nat x"
	if strings.Join(got, "|") != want {
		t.Errorf("ranges %q, want %q", strings.Join(got, "|"), want)
	}
}

// Findings of one rule on one device with the same cause are one group:
// the settings read on several lines are one evidence item with the line
// numbers, the keepalive is shared, and the fix is one interface range.
func TestGroupFindings(t *testing.T) {
	src := func(line int, text string) *facts.Source {
		return &facts.Source{Host: "sw1", Key: "show_running-config", Line: line, Text: text}
	}
	ka := []rules.Evidence{{Device: "cm", What: "keepalive interval", Value: "115 s"}, {Device: "cm", What: "  Timer Register Delta", Value: "5 s"}}
	port := func(p string, line int, sev rules.Severity, aging string) rules.Finding {
		return rules.Finding{Rule: "port-security-aging-shorter-than-keepalive", Severity: sev, Device: "sw1", Object: p,
			Phones: []string{"SEP" + p[len(p)-1:]}, Message: "aging on " + p + " is short",
			Evidence: append([]rules.Evidence{{Device: "sw1", What: "aging time", Value: aging, Source: src(line, " switchport port-security aging time 1")},
				{Device: "sw1", What: "phone on " + p, Value: "SEP", Source: src(line+100, "Device ID: SEP")}}, ka...),
			Fix: []string{"interface " + p, " switchport port-security aging time 5"}, Notes: []string{"no phone seen on " + p}}
	}
	r := &Result{Findings: []rules.Finding{
		port("GigabitEthernet1/0/1", 10, rules.Critical, "1 min"), port("GigabitEthernet1/0/2", 20, rules.Critical, "1 min"),
		port("GigabitEthernet1/0/3", 30, rules.Critical, "1 min"), port("GigabitEthernet1/0/9", 90, rules.Warning, "2 min"),
	}}
	g := GroupFindings(r)
	if len(g.Groups) != 2 || len(g.Keepalives) != 1 {
		t.Fatalf("%d groups, %d keepalives; want 2 and 1", len(g.Groups), len(g.Keepalives))
	}
	c := g.Groups[0]
	if len(c.Members) != 3 || strings.Join(c.Ranges, ",") != "GigabitEthernet1/0/1 - 3" || c.Keepalive != "K1" {
		t.Fatalf("group %+v", c)
	}
	if len(c.Evidence) != 1 || c.Evidence[0].linesText("sw1") != "sw1/show_running-config.txt lines 10, 20, 30" {
		t.Errorf("evidence %+v", c.Evidence)
	}
	if strings.Join(c.Fix, "|") != "interface range GigabitEthernet1/0/1 - 3| switchport port-security aging time 5" {
		t.Errorf("fix %q", c.Fix)
	}
	if len(c.Notes) != 1 || c.Notes[0] != "GigabitEthernet1/0/1 - 3: no phone seen on the port" {
		t.Errorf("notes %q", c.Notes)
	}
	if c.ShortMessage() != "aging on these 3 objects is short" {
		t.Errorf("message %q", c.ShortMessage())
	}
	if len(c.Phones) != 3 {
		t.Errorf("phones %v", c.Phones)
	}
}

// The JSON report keeps every finding and lists each exactly once under
// its group.
func TestJSONGroups(t *testing.T) {
	r := auditResult()
	var buf bytes.Buffer
	if err := (JSONWriter{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Findings []json.RawMessage `json:"findings"`
		Groups   []struct {
			Rule     string `json:"rule"`
			Findings []int  `json:"findings"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, g := range doc.Groups {
		for _, i := range g.Findings {
			if i < 0 || i >= len(doc.Findings) || seen[i] {
				t.Fatalf("group %s lists finding %d (of %d) out of range or twice", g.Rule, i, len(doc.Findings))
			}
			seen[i] = true
		}
	}
	if len(seen) != len(r.Findings) || len(doc.Groups) == 0 {
		t.Errorf("%d findings in %d groups, want all %d", len(seen), len(doc.Groups), len(r.Findings))
	}
}
