package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/events"
	"github.com/kaudit/kaudit/rules"
)

var evT0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// symptomsResult: a critical finding whose phone never dropped and a
// warning whose two phones drop every 16 min 5 s; a third phone drops
// with no finding naming it.
func symptomsResult() *Result {
	r := &Result{
		Tool: "kaudit", Source: "offline lab", FailOn: rules.Warning,
		Findings: []rules.Finding{
			{Rule: "port-security-aging-shorter-than-keepalive", Severity: rules.Critical, Device: "sw-floor1", Object: "GigabitEthernet1/0/1", Phones: []string{"SEP000000000001"}, Message: "aging 1 min"},
			{Rule: "port-security-aging-shorter-than-keepalive", Severity: rules.Warning, Device: "sw-floor2", Object: "GigabitEthernet1/0/2", Phones: []string{"SEP000000000002", "SEP000000000003"}, Message: "aging 2 min"},
		},
	}
	h := events.NewHistory(0)
	for i := range 10 {
		at := evT0.Add(time.Duration(i) * (16*time.Minute + 5*time.Second))
		h.Add(events.Alarm{Kind: events.Unregistered, Device: "SEP000000000002", Time: at, Reason: 13, Node: "cucm-pub", LastSignal: "SIPStationDPrimaryLineTimeout"})
		h.Add(events.Alarm{Kind: events.Unregistered, Device: "SEP000000000003", Time: at.Add(time.Minute), Reason: 13, Node: "cucm-pub"})
		h.Add(events.Alarm{Kind: events.Unregistered, Device: "SEP0000000000AA", Time: at.Add(2 * time.Minute), Reason: 13, Node: "cucm-sub", Description: "Lab 3"})
	}
	h.Stats.Files = []string{"syslog.log"}
	h.Stats.Lines = 31
	h.Stats.Malformed = 1
	h.Stats.Problems = []events.Problem{{File: "syslog.log", Line: 31, Err: "EndPointUnregistered: tag Reason: no closing ]"}}
	s := &Symptoms{Read: h.Stats, Phones: h.Phones()}
	s.From, s.To = h.Window()
	aa, _ := h.Phone("SEP0000000000AA")
	s.Unexplained = []Unexplained{{Phone: aa, Switch: "sw-lab3", Port: "GigabitEthernet1/0/7", CallManager: "cucm-pub",
		Checked: []string{"sw-lab3 GigabitEthernet1/0/7: port-security off; no finding"}}}
	r.Symptoms = s
	return r
}

// TestDroppingFindingsFirst: the warning whose phones drop comes before
// the critical whose phone does not, in every format, and says so.
func TestDroppingFindingsFirst(t *testing.T) {
	r := symptomsResult()
	table := render(t, mustNew(t, "table"), r)
	first, second := strings.Index(table, "[1] WARNING"), strings.Index(table, "[2] CRITICAL")
	if first < 0 || second < 0 {
		t.Fatalf("table:\n%s", table)
	}
	for _, want := range []string{
		"drops: 2 of 2 phones dropped 20 times (20 KeepAliveTimeout), 2026-03-02 08:00:00 – 10:25:45 UTC, every 16 min 5 s",
		"drops: its phone did not drop in the syslog read",
		"syslog:   30 unregistrations of 3 devices in 1 file (31 lines), 2026-03-02 08:00:00 – 10:26:45 UTC; 1 line not read",
		"unregistrations no finding explains (1 phone with KeepAliveTimeout drops",
		"SEP0000000000AA (Lab 3): 10 drops (KeepAliveTimeout ×10), 2026-03-02 08:02:00 – 10:26:45 UTC, every 16 min 5 s",
		"on: switch sw-lab3 GigabitEthernet1/0/7; no ASA in the audit faces its address; call manager cucm-pub (unregistered by cucm-sub)",
		"capture next: kaudit confirm -i INVENTORY --phone SEP0000000000AA",
		"syslog.log:31: EndPointUnregistered: tag Reason: no closing ]",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	var doc struct {
		Findings []struct{ Object string }
		Events   struct {
			Findings []struct {
				Object   string
				Dropping int
			}
			Unexplained []struct{ Phone, Capture string }
			Problems    []string
			Phones      []struct {
				Name   string
				Period struct {
					MedianS int64 `json:"median_s"`
					Regular bool
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(render(t, mustNew(t, "json"), r)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 2 || doc.Findings[0].Object != "GigabitEthernet1/0/2" {
		t.Errorf("json findings order %+v", doc.Findings)
	}
	ev := doc.Events
	if len(ev.Findings) != 2 || ev.Findings[0].Dropping != 2 || ev.Findings[1].Dropping != 0 ||
		len(ev.Unexplained) != 1 || ev.Unexplained[0].Capture != "kaudit confirm -i INVENTORY --phone SEP0000000000AA" ||
		len(ev.Problems) != 1 || len(ev.Phones) != 3 || ev.Phones[0].Period.MedianS != 965 || !ev.Phones[0].Period.Regular {
		t.Errorf("json events %+v", ev)
	}
	html := render(t, mustNew(t, "html"), r)
	for _, want := range []string{
		`<p class="drops dropping"><span class="k">Drops</span>2 of 2 phones dropped 20 times`,
		`<section id="unregistrations">`, "Unregistrations no finding explains", "<code>kaudit confirm -i INVENTORY --phone SEP0000000000AA</code>",
		"syslog.log:31: EndPointUnregistered: tag Reason: no closing ]",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if i, j := strings.Index(html, `<p class="msg">aging 2 min`), strings.Index(html, `<p class="msg">aging 1 min`); i < 0 || j < 0 || i > j {
		t.Error("html: the finding whose phones drop is not first")
	}
	md := render(t, mustNew(t, "markdown"), r)
	for _, want := range []string{"## Unregistrations", "### Unregistrations no finding explains", "**2 of 2 phones dropped 20 times", "### Syslog lines not read (1)"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestNoSymptomsNoChange: without syslog the reports keep their form:
// no "events" key, no drops lines.
func TestNoSymptomsNoChange(t *testing.T) {
	r := symptomsResult()
	r.Symptoms = nil
	if js := render(t, mustNew(t, "json"), r); strings.Contains(js, `"events"`) {
		t.Error("json has events without syslog")
	}
	table := render(t, mustNew(t, "table"), r)
	if strings.Contains(table, "drops:") || strings.Contains(table, "syslog:") || strings.Index(table, "[1] CRITICAL") < 0 {
		t.Errorf("table:\n%s", table)
	}
	if md := render(t, mustNew(t, "markdown"), r); strings.Contains(md, "Unregistrations") {
		t.Error("markdown has the section without syslog")
	}
	if html := render(t, mustNew(t, "html"), r); strings.Contains(html, "unregistrations") || strings.Contains(html, `class="drops`) {
		t.Error("html has the section without syslog")
	}
}

func TestPeriodsText(t *testing.T) {
	reg := func(d time.Duration) events.Phone {
		return events.Phone{Period: events.Period{Median: d, Gaps: 3, Regular: true}}
	}
	for _, tc := range []struct {
		ps   []events.Phone
		want string
	}{
		{[]events.Phone{reg(965 * time.Second), reg(968 * time.Second)}, "every 16 min 8 s"},
		{[]events.Phone{reg(965 * time.Second), reg(2 * time.Hour)}, "16 min 5 s to 2 h between drops"},
		{[]events.Phone{{Period: events.Period{Median: time.Hour, Gaps: 3}}}, "irregular, median 1 h"},
		{[]events.Phone{{}}, ""},
	} {
		if got := periodsText(tc.ps); got != tc.want {
			t.Errorf("periodsText = %q, want %q", got, tc.want)
		}
	}
}
