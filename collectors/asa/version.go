package asa

import (
	"regexp"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

var (
	versionLine = regexp.MustCompile(`Adaptive Security Appliance Software Version (\S+)`)
	// "ciscoasa up 2 hours 12 mins"; "failover cluster up ..." has two
	// words before "up" and does not match.
	uptimeLine = regexp.MustCompile(`^(\S+) up \d+ (?:year|week|day|hour|min|sec)`)
)

// ParseVersion reads show version: the software version and, from the
// uptime line, the hostname. The running config's hostname wins when both
// are read.
func ParseVersion(data []byte, d *facts.Device) error {
	key := KeyVersion
	lines, err := readLines(d, key, data)
	if err != nil {
		return err
	}
	var version, host string
	for _, ln := range lines {
		t := strings.TrimSpace(ln.Text)
		if t == "" || isPrompt(ln.Text) {
			continue
		}
		if deviceError(t) {
			return errAt(d, key, ln.N, "the ASA refused the command: %s", t)
		}
		if m := versionLine.FindStringSubmatch(t); m != nil && version == "" {
			version = m[1]
		}
		if m := uptimeLine.FindStringSubmatch(ln.Text); m != nil && host == "" {
			host = m[1]
		}
	}
	if version == "" && host == "" {
		return errAt(d, key, 0, "no ASA software version or uptime line in %d lines of output", len(lines))
	}
	a := asaOf(d)
	if version != "" {
		a.Version = version
	}
	if a.Hostname == "" {
		a.Hostname = host
	}
	return nil
}
