package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fp = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"

func TestTransportSettings(t *testing.T) {
	inv := mustParse(t, y(`
defaults:
  transport: auto
groups:
  cucm:
    platform: cucm
    transport: axl
    axl_port: 8443
    axl_known_hosts: axl_known
hosts:
  cucm-pub:
    groups: [cucm]
    axl_version: "12.5"
    axl_fingerprint: "sha256:`+strings.ToLower(strings.ReplaceAll(fp, ":", ""))+`"
  cucm-sub:
    groups: [cucm]
    transport: cli
    axl_ca_file: tomcat.pem
  sw1:
    platform: ios
`))
	pub, sub, sw := host(t, inv, "cucm-pub"), host(t, inv, "cucm-sub"), host(t, inv, "sw1")
	if pub.Transport != TransportAXL || pub.AXLPort != 8443 || pub.AXLVersion != "12.5" || pub.AXLKnownHosts != "axl_known" || !strings.HasPrefix(pub.AXLFingerprint, "sha256:abcdef") {
		t.Errorf("cucm-pub %+v", pub)
	}
	if sub.Transport != TransportCLI || sub.AXLCAFile != "tomcat.pem" || sub.AXLFingerprint != "" {
		t.Errorf("cucm-sub %+v", sub)
	}
	if sw.Transport != TransportAuto || sw.AXLPort != 0 {
		t.Errorf("sw1 %+v", sw)
	}
	out := Marshal(inv)
	back := mustParse(t, out)
	if again := Marshal(back); !bytes.Equal(again, out) || host(t, back, "cucm-pub").AXLFingerprint != pub.AXLFingerprint {
		t.Errorf("round trip:\n%s\n---\n%s", out, again)
	}
	// A host without the settings digests as before they existed.
	plain := mustParse(t, y("hosts:\n  sw1:\n    platform: ios\n"))
	withAuto := mustParse(t, y("hosts:\n  sw1:\n    platform: ios\n    transport: auto\n"))
	if plain.Digest() == withAuto.Digest() {
		t.Error("transport does not change the digest")
	}
}

func TestTransportErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"hosts:\n  c:\n    platform: cucm\n    transport: soap\n", `inventory.yaml:4: bad transport "soap" in host c: want cli, axl or auto`},
		{"hosts:\n  c:\n    platform: cucm\n    axl_version: \"14\"\n", `bad axl_version "14" in host c`},
		{"hosts:\n  c:\n    platform: cucm\n    axl_port: 0\n", `bad axl_port "0" in host c`},
		{"hosts:\n  c:\n    platform: cucm\n    axl_fingerprint: AB:CD\n", `bad axl_fingerprint in host c: want the certificate's SHA-256`},
		{"hosts:\n  c:\n    platform: cucm\n    axl_ca_file: \"\"\n", `axl_ca_file in host c is empty`},
		{"defaults:\n  transport: axl\nhosts:\n  sw1:\n    platform: ios\n", `inventory.yaml:2: host sw1: transport axl reads a CUCM node, not a ios device`},
		{"hosts:\n  c:\n    platform: cucm\n    axl_prot: 1\n", `unknown key "axl_prot" in host c (did you mean axl_port?)`},
	} {
		_, err := Parse("inventory.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestLoadRebasesAXLFiles(t *testing.T) {
	dir := t.TempDir()
	data := "hosts:\n  c:\n    platform: cucm\n    axl_ca_file: certs/tomcat.pem\n    axl_known_hosts: ~/axl_known\n"
	if err := os.WriteFile(filepath.Join(dir, "inventory.yaml"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := Load(filepath.Join(dir, "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	h := inv.Hosts[0]
	if h.AXLCAFile != filepath.Join(dir, "certs", "tomcat.pem") || h.AXLKnownHosts != "~/axl_known" {
		t.Errorf("axl_ca_file %q, axl_known_hosts %q", h.AXLCAFile, h.AXLKnownHosts)
	}
}
