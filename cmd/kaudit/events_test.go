package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// audit --events joins a syslog to an offline audit; a path that does not
// read stops the audit with exit 2 naming it; DIR/events is read without
// the flag, and a file reached twice counts once.
func TestAuditEvents(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.log")
	code, out, errOut := kaudit(t, "", "audit", "--offline", filepath.Join(labs, "clean"), "--no-store", "--events", missing)
	if code != 2 || !strings.Contains(errOut, missing) || out != "" {
		t.Errorf("missing syslog: exit %d, stderr %q, stdout %q", code, errOut, out)
	}

	lab := filepath.Join(labs, "case2-port-security-aging")
	syslog := filepath.Join(lab, "events", "cucm-pub.log")
	extra := filepath.Join(t.TempDir(), "cucm-sub.log")
	line := "<187>7: cucm-sub: Mar 02 2026 09:00:00.000 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP0C1167A3E812][IPAddress=10.147.230.58][Protocol=SIP][Reason=13][LastSignalReceived=SIPStationDPrimaryLineTimeout][NodeID=cucm-sub]: An endpoint has unregistered\n"
	if err := os.WriteFile(extra, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = kaudit(t, "", "audit", "--offline", lab, "--no-store", "--format", "json", "--events", extra, "--events", syslog)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Events struct {
			Files       []string
			Alarms      int64
			Unexplained []struct{ Phone, Switch, Port string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	ev := doc.Events
	// The lab's own events/cucm-pub.log, given again, is read once.
	if len(ev.Files) != 2 || ev.Alarms != 180 {
		t.Errorf("files %v, alarms %d", ev.Files, ev.Alarms)
	}
	// SEP0C1167A3E812 is on Gi1/0/16 (aging 3 min, no finding).
	if len(ev.Unexplained) != 1 || ev.Unexplained[0].Phone != "SEP0C1167A3E812" || ev.Unexplained[0].Port != "GigabitEthernet1/0/16" {
		t.Errorf("unexplained %+v", ev.Unexplained)
	}
}
