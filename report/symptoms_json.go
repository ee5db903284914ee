package report

import (
	"time"

	"github.com/kaudit/kaudit/events"
	"github.com/kaudit/kaudit/rules"
)

// jsonEvents is the "events" key of the json report, present only when
// syslog was read (audit --events): what was read, each finding's drops
// (by fingerprint, in report order), every device's history and the
// unregistrations no finding explains. Times are RFC 3339, "" when
// unknown; lists are arrays, never null.
type jsonEvents struct {
	Files       []string           `json:"files"`
	Lines       int64              `json:"lines"`
	Alarms      int64              `json:"alarms"`
	Duplicates  int64              `json:"duplicates"`
	Untracked   int64              `json:"untracked"`
	Malformed   int64              `json:"malformed"`
	Problems    []string           `json:"problems"`
	From        string             `json:"from"`
	To          string             `json:"to"`
	Findings    []jsonFindingDrops `json:"findings"`
	Phones      []jsonPhoneHistory `json:"phones"`
	Unexplained []jsonUnexplained  `json:"unexplained"`
}

type jsonFindingDrops struct {
	Fingerprint       string   `json:"fingerprint"`
	Rule              string   `json:"rule"`
	Device            string   `json:"device"`
	Object            string   `json:"object"`
	Phones            int      `json:"phones"`
	Dropping          int      `json:"dropping"`
	Unregistrations   int      `json:"unregistrations"`
	KeepAliveTimeouts int      `json:"keepalive_timeouts"`
	First             string   `json:"first"`
	Last              string   `json:"last"`
	DroppingPhones    []string `json:"dropping_phones"`
}

type jsonPhoneHistory struct {
	Name              string       `json:"name"`
	Drops             int          `json:"drops"`
	KeepAliveTimeouts int          `json:"keepalive_timeouts"`
	Transient         int          `json:"transient_connections"`
	First             string       `json:"first"`
	Last              string       `json:"last"`
	Reasons           []jsonReason `json:"reasons"`
	LastSignal        string       `json:"last_signal"`
	IP                string       `json:"ip"`
	Protocol          string       `json:"protocol"`
	DeviceType        string       `json:"device_type"`
	Description       string       `json:"description"`
	Nodes             []string     `json:"nodes"`
	LastRegistered    string       `json:"last_registered"`
	RegisteredAgain   bool         `json:"registered_again"`
	Period            jsonPeriod   `json:"period"`
}

type jsonReason struct {
	Code  int    `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type jsonPeriod struct {
	MedianSeconds int64  `json:"median_s"`
	Gaps          int    `json:"gaps"`
	Reason        int    `json:"reason"`
	Regular       bool   `json:"regular"`
	Text          string `json:"text"`
}

type jsonUnexplained struct {
	Phone       string   `json:"phone"`
	Switch      string   `json:"switch"`
	Port        string   `json:"port"`
	CallManager string   `json:"call_manager"`
	Firewalls   []string `json:"firewalls"`
	Checked     []string `json:"checked"`
	// Capture is the kaudit confirm command to run next ("" when kaudit
	// knows too little of the phone), Where where it captures.
	Capture string `json:"capture"`
	Where   string `json:"capture_where"`
}

// jsonEventsOf renders r.Symptoms; nil without it, so that the key is
// absent from the report of a run that read no syslog.
func jsonEventsOf(r *Result) *jsonEvents {
	s := r.Symptoms
	if s == nil {
		return nil
	}
	out := &jsonEvents{
		Files: nonNil(s.Read.Files), Lines: s.Read.Lines, Alarms: s.Read.Alarms,
		Duplicates: s.Read.Duplicates, Untracked: s.Read.Untracked, Malformed: s.Read.Malformed,
		Problems: []string{}, From: jsonTime(s.From), To: jsonTime(s.To),
		Findings: []jsonFindingDrops{}, Phones: []jsonPhoneHistory{}, Unexplained: []jsonUnexplained{},
	}
	for _, p := range s.Read.Problems {
		out.Problems = append(out.Problems, p.String())
	}
	for _, f := range sortedFindings(r) {
		out.Findings = append(out.Findings, jsonFindingDropsOf(s, f))
	}
	for _, p := range s.Phones {
		out.Phones = append(out.Phones, jsonPhoneHistoryOf(p))
	}
	for _, u := range s.Unexplained {
		cmd, where := captureNext(u)
		out.Unexplained = append(out.Unexplained, jsonUnexplained{
			Phone: u.Phone.Name, Switch: u.Switch, Port: u.Port, CallManager: u.CallManager,
			Firewalls: nonNil(u.Firewalls), Checked: nonNil(u.Checked), Capture: cmd, Where: where,
		})
	}
	return out
}

func jsonFindingDropsOf(s *Symptoms, f rules.Finding) jsonFindingDrops {
	d := s.DropsOf(f.Phones)
	out := jsonFindingDrops{
		Fingerprint: rules.Fingerprint(f), Rule: f.Rule, Device: f.Device, Object: f.Object,
		Phones: d.Phones, Dropping: d.Dropping, Unregistrations: d.Unregistrations, KeepAliveTimeouts: d.KeepAliveTimeouts,
		First: jsonTime(d.First), Last: jsonTime(d.Last), DroppingPhones: []string{},
	}
	for _, p := range d.Histories {
		out.DroppingPhones = append(out.DroppingPhones, p.Name)
	}
	return out
}

func jsonPhoneHistoryOf(p events.Phone) jsonPhoneHistory {
	out := jsonPhoneHistory{
		Name: p.Name, Drops: p.Drops, KeepAliveTimeouts: p.KeepAliveTimeouts, Transient: p.Transient,
		First: jsonTime(p.First), Last: jsonTime(p.Last), Reasons: []jsonReason{}, LastSignal: p.LastSignal,
		IP: p.IP, Protocol: p.Protocol, DeviceType: p.DeviceType, Description: p.Description,
		Nodes: nonNil(p.Nodes), LastRegistered: jsonTime(p.LastRegistered), RegisteredAgain: p.RegisteredAgain(),
		Period: jsonPeriod{
			MedianSeconds: int64(p.Period.Median / time.Second), Gaps: p.Period.Gaps, Reason: p.Period.Reason,
			Regular: p.Period.Regular, Text: p.Period.String(),
		},
	}
	for _, r := range p.Reasons {
		out.Reasons = append(out.Reasons, jsonReason{Code: r.Code, Name: r.Name(), Count: r.Count})
	}
	return out
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
