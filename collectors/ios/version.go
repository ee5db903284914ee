package ios

import (
	"bytes"

	"github.com/kaudit/kaudit/facts"
)

// ParseVersion reads show version: d.Switch.Version (e.g. 15.2(4)E7, or
// 16.09.04 on IOS-XE, where the "Cisco IOS XE Software, Version" line wins
// over the IOS one), and the hostname from "<host> uptime is" when the
// running config has not given one.
func ParseVersion(data []byte, d *facts.Device) error {
	version, host, err := readVersion(data)
	if err != nil {
		return withHost(err, d)
	}
	sw := ensureSwitch(d)
	sw.Version = version
	if sw.Hostname == "" {
		sw.Hostname = host
	}
	return nil
}

const verUptime = " uptime is "

var (
	verXE      = []byte("Cisco IOS XE Software")
	verIOS     = []byte("IOS")
	verVersion = []byte("Version ")
)

func readVersion(data []byte) (version, host string, err error) {
	key := keyVersion
	if err := checkText(key, data); err != nil {
		return "", "", err
	}
	var ios, xe []byte
	r := newLineReader(data)
	for r.next() {
		t := trimLeft(r.line)
		if skip, err := skipNoise(key, r.n, t); err != nil {
			return "", "", err
		} else if skip {
			continue
		}
		// "<host> uptime is": the first blank of the line starts
		// verUptime, which is found there without searching the line.
		if j := wordEnd(t); host == "" && j > 0 && hasPrefix(t[j:], verUptime) {
			host = string(t[:j])
			continue
		}
		if !bytes.Contains(t, verIOS) {
			continue
		}
		i := bytes.Index(t, verVersion)
		if i < 0 {
			continue
		}
		v := t[i+len(verVersion):]
		if j := bytes.IndexAny(v, ", \t"); j >= 0 {
			v = v[:j]
		}
		if len(v) == 0 {
			continue
		}
		switch {
		case bytes.HasPrefix(t, verXE):
			if xe == nil {
				xe = v
			}
		case ios == nil:
			ios = v
		}
	}
	switch {
	case xe != nil:
		return string(xe), host, nil
	case ios != nil:
		return string(ios), host, nil
	}
	return "", "", facts.Errorf(key, 1, "no \"Cisco IOS ... Version\" line: not show version output")
}
