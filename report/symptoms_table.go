package report

import (
	"fmt"
	"strings"

	"github.com/kaudit/kaudit/events"
)

// maxUnexplained caps the unexplained phones the table and markdown
// list; json has them all.
const maxUnexplained = 20

// writeUnexplained writes the phones that drop with KeepAliveTimeout and
// have no finding on their path, and the syslog lines that could not be
// read.
func (t *TableWriter) writeUnexplained(b *strings.Builder, r *Result) {
	s := r.Symptoms
	if s == nil {
		return
	}
	if len(s.Unexplained) > 0 {
		fmt.Fprintf(b, "\n%s\n", t.paint(ansiBold, fmt.Sprintf("unregistrations no finding explains (%s with KeepAliveTimeout drops, nothing kaudit checks on their path):", plural(len(s.Unexplained), "phone", "phones"))))
	}
	for i, u := range s.Unexplained {
		if i == maxUnexplained {
			fmt.Fprintf(b, "  +%d more (the json report lists them all)\n", len(s.Unexplained)-i)
			break
		}
		fmt.Fprintf(b, "  %s: %s\n", oneLine(phoneLabel(u.Phone)), oneLine(historyText(u.Phone)))
		fmt.Fprintf(b, "    on: %s\n", oneLine(placeText(u)))
		for _, c := range u.Checked {
			fmt.Fprintf(b, "    checked: %s\n", oneLine(c))
		}
		fmt.Fprintf(b, "    capture next: %s\n", oneLine(captureText(u)))
	}
	if len(s.Read.Problems) > 0 {
		fmt.Fprintf(b, "\n%s\n", t.paint(ansiBold, fmt.Sprintf("syslog lines not read (%d):", s.Read.Malformed)))
		for _, p := range s.Read.Problems {
			fmt.Fprintf(b, "  %s\n", oneLine(p.String()))
		}
		if n := s.Read.Malformed - int64(len(s.Read.Problems)); n > 0 {
			fmt.Fprintf(b, "  +%d more\n", n)
		}
	}
}

// phoneLabel is the phone's name with its description.
func phoneLabel(p events.Phone) string {
	if p.Description != "" {
		return p.Name + " (" + p.Description + ")"
	}
	return p.Name
}

// historyText is one phone's drops in a line: "24 drops (KeepAliveTimeout
// ×24), 2026-03-02 08:03:00 – 14:10:05 UTC, every 16 min 5 s, last signal
// SIPStationDPrimaryLineTimeout, last dropped ...".
func historyText(p events.Phone) string {
	parts := []string{fmt.Sprintf("%d drops (%s)", p.Drops, ReasonsText(p)), spanText(p.First, p.Last)}
	if s := p.Period.String(); s != "" {
		parts = append(parts, s)
	}
	if p.LastSignal != "" {
		parts = append(parts, "last signal "+p.LastSignal)
	}
	if p.RegisteredAgain() {
		parts = append(parts, StateText(p))
	}
	if p.Transient > 0 {
		parts = append(parts, fmt.Sprintf("%d transient connections", p.Transient))
	}
	return strings.Join(parts, ", ")
}

// placeText says where an unexplained phone sits.
func placeText(u Unexplained) string {
	port := "switch port unknown"
	if u.Switch != "" {
		port = "switch " + u.Switch + " " + u.Port
	}
	fw := "no ASA in the audit faces its address"
	if len(u.Firewalls) > 0 {
		fw = "ASA " + strings.Join(u.Firewalls, ", ")
	}
	cm := "no call manager in the audit lists it"
	if u.CallManager != "" {
		cm = "call manager " + u.CallManager
	}
	if nodes := u.Phone.Nodes; len(nodes) > 0 {
		cm += " (unregistered by " + strings.Join(nodes, ", ") + ")"
	}
	return port + "; " + fw + "; " + cm
}

// captureNext is the command that captures where the phone's keepalives
// go, and where that is: its access port when kaudit knows it, else the
// call manager; without either there is nothing to capture on yet.
func captureNext(u Unexplained) (cmd, where string) {
	name := u.Phone.Name
	switch {
	case u.Switch != "":
		return "kaudit confirm -i INVENTORY --phone " + name, "on its access port " + u.Switch + " " + u.Port + "; add --at cucm for the call manager's side"
	case u.CallManager != "":
		return "kaudit confirm -i INVENTORY --phone " + name + " --at cucm", "on " + u.CallManager + ": its switch port is unknown"
	}
	return "", "kaudit knows neither its port nor its call manager: add them to the inventory, then kaudit confirm --phone " + name
}

// captureText is captureNext in one line.
func captureText(u Unexplained) string {
	cmd, where := captureNext(u)
	if cmd == "" {
		return where
	}
	return cmd + "   (" + where + ")"
}
