package ios

import (
	"bytes"
	"strings"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
)

// cliAccessSession lists every 802.1X / MAB session with its details:
// the effective idle timeout (which a RADIUS Idle-Timeout sets where the
// port says "authentication timer inactivity server") and the interface
// template bound at run time.
const cliAccessSession = "show access-session details"

var keyAccessSession = collectors.Key(cliAccessSession)

// ParseAccessSession reads show access-session details (or "show
// access-session interface X details" blocks) into d.Switch.Sessions.
//
// Each session is a block of "Key: value" lines starting at "Interface:"
// (genieparser's ShowAccessSessionInterfaceDetails samples show the
// shape, the keys indented or not, with "Local Policies:" and "Server
// Policies:" headings; golden_output_2 shows "Interface Template:" under
// Local Policies). The timer line is read as "Idle timeout", "Inactivity
// timeout" or "Inactivity timer" with a value in seconds ("60 sec", "60s",
// "60"): none of the public samples found shows it, so its spelling is
// taken loosely. Lines kaudit does not know are ignored.
func ParseAccessSession(data []byte, d *facts.Device) error {
	sessions, err := readAccessSession(data, d)
	if err != nil {
		return withHost(err, d)
	}
	sw := ensureSwitch(d)
	sw.Sessions, sw.AuthSessions = sessions, true
	sw.ResolveTemplates(keyRunningConfig)
	return nil
}

func readAccessSession(data []byte, d *facts.Device) ([]facts.AuthSession, error) {
	key := keyAccessSession
	if err := checkText(key, data); err != nil {
		return nil, err
	}
	var out []facts.AuthSession
	cur := -1
	none := false
	r := newLineReader(data)
	for r.next() {
		t := trimLeft(r.line)
		if len(t) == 0 {
			continue
		}
		if _, ok := isPrompt(t); ok {
			continue
		}
		if isDeviceError(t) {
			return nil, facts.Errorf(key, r.n, "device error: %s", t)
		}
		if bytes.HasPrefix(t, []byte("No sessions")) || bytes.HasPrefix(t, []byte("No Auth Manager contexts")) {
			none = true
			continue
		}
		k, v := cutColon(t)
		if len(v) == 0 && !bytes.HasSuffix(t, []byte(":")) {
			continue
		}
		switch strings.ToLower(string(trim(k))) {
		case "interface":
			name := ifName(v)
			if name == "" {
				return nil, facts.Errorf(key, r.n, "session without an interface name")
			}
			out = append(out, facts.AuthSession{Interface: name, Source: r.src(d, key)})
			cur = len(out) - 1
		case "mac address":
			if cur >= 0 {
				out[cur].MAC = facts.NormalizeMACBytes(v)
			}
		case "idle timeout", "inactivity timeout", "inactivity timer":
			if cur < 0 {
				continue
			}
			if n, ok := seconds(v); ok {
				out[cur].IdleSeconds, out[cur].IdleSource = n, r.src(d, key)
			}
		case "interface template", "template":
			if cur >= 0 && len(v) > 0 {
				name, _ := cut(v)
				out[cur].Template, out[cur].TemplateSource = string(name), r.src(d, key)
			}
		}
	}
	if len(out) == 0 && !none {
		return nil, facts.Errorf(key, 1, "no \"Interface:\" line: not show access-session details output")
	}
	return out, nil
}

// seconds reads "60", "60s", "60 sec", "60 seconds"; "N/A" and the like
// are not a value.
func seconds(v []byte) (int, bool) {
	n, rest, ok := leadingInt(v)
	if !ok {
		return 0, false
	}
	switch u := strings.ToLower(string(trim(rest))); {
	case u == "", strings.HasPrefix(u, "s"):
		return n, true
	case strings.HasPrefix(u, "(remaining"):
		return n, true
	}
	return 0, false
}

// needsAccessSession: ports authenticate their hosts (IBNS 1.0 or 2.0).
func needsAccessSession(d *facts.Device) bool {
	if d.Switch == nil {
		return false
	}
	for _, p := range d.Switch.Interfaces {
		if p.Auth.Enabled || p.Auth.ControlPolicy != "" {
			return true
		}
	}
	return false
}
