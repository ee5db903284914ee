package sshx

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// indexKnownHosts builds a host key callback for a known_hosts file whose
// every entry names plain hosts (no hashed names, wildcards, negations or
// @cert-authority/@revoked markers), as kaudit's trust on first use and
// ssh-keyscan write them. x/crypto's callback scans every line for every
// connection, which makes an audit quadratic in the inventory; this one
// looks the address up. It answers exactly as x/crypto's does: nil, or a
// *knownhosts.KeyError listing the keys on record for the address in file
// order. ok is false when the file has an entry it cannot index; the
// caller then keeps x/crypto's callback.
func indexKnownHosts(file string) (cb ssh.HostKeyCallback, ok bool, err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	idx := map[string][]knownhosts.KnownKey{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		marker, hosts, key, _, _, err := ssh.ParseKnownHosts(line)
		if err != nil || marker != "" {
			return nil, false, nil
		}
		for _, h := range hosts {
			if h == "" || strings.ContainsAny(h, "*?!|") {
				return nil, false, nil
			}
			a := knownhosts.Normalize(h)
			idx[a] = append(idx[a], knownhosts.KnownKey{Key: key, Filename: file, Line: n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, false, err
	}
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		address := hostname
		if address == "" {
			address = remote.String()
		}
		blob := key.Marshal()
		ke := &knownhosts.KeyError{}
		for _, k := range idx[knownhosts.Normalize(address)] {
			ke.Want = append(ke.Want, k)
			if bytes.Equal(k.Key.Marshal(), blob) {
				return nil
			}
		}
		return ke
	}, true, nil
}
