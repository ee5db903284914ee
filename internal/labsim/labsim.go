// Package labsim serves a lab directory (the offline layout) over SSH with
// the device simulator on 127.0.0.1 and returns an inventory that points at
// it. The demo, `kaudit devsim`, the live round-trip tests and the scale
// benchmark all start labs this way.
package labsim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"github.com/kaudit/kaudit/collectors/axl"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/inventory"
)

// Options tune a served lab.
type Options struct {
	// Sim is passed to devsim.Start (BindAddr is always 127.0.0.1).
	Sim devsim.Options
	// Tune, when set, may change each simulated host (faults, latency).
	Tune func(h *devsim.Host)
	// Dir is where the credentials and known_hosts files go; a temporary
	// directory when empty.
	Dir string
}

// Lab is a running simulated lab.
type Lab struct {
	Server *devsim.Server
	// Inventory is the lab's inventory with every host's address and port
	// rewritten to the simulator on 127.0.0.1. Each host keeps its voice
	// address in data.ip, so the rules see the lab's real addressing.
	Inventory *inventory.Inventory
	// KnownHosts is a known_hosts file with the simulator's host keys.
	KnownHosts string
	// Dir holds KnownHosts and the password file.
	Dir     string
	ownsDir bool
}

// Serve starts every host of the lab in dir. The simulator accepts one
// random password, written to a file the inventory refers to.
func Serve(ctx context.Context, dir string, o Options) (*Lab, error) {
	inv, err := offline.Load(dir)
	if err != nil {
		return nil, err
	}
	l := &Lab{Dir: o.Dir}
	if l.Dir == "" {
		if l.Dir, err = os.MkdirTemp("", "kaudit-lab-"); err != nil {
			return nil, err
		}
		l.ownsDir = true
	} else if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return nil, err
	}
	pw, err := randomSecret()
	if err != nil {
		return nil, err
	}
	pwFile := filepath.Join(l.Dir, "password")
	if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
		return nil, err
	}
	var hosts []devsim.Host
	for _, h := range inv.Hosts {
		cmds, err := platform.Commands(h.Platform)
		if err != nil {
			return nil, fmt.Errorf("lab %s: host %s: %w", dir, h.Name, err)
		}
		keys := map[string]string{}
		for _, c := range cmds {
			keys[c.CLI] = c.Key
		}
		sh := devsim.Host{
			Name: h.Name, Platform: h.Platform, Dir: filepath.Join(dir, h.Name),
			Username: h.Username, Password: pw, Keys: keys,
		}
		if overAXL(&h) {
			sh.AXL = &devsim.AXL{}
		}
		if o.Tune != nil {
			o.Tune(&sh)
		}
		hosts = append(hosts, sh)
	}
	sim := o.Sim
	sim.BindAddr = "127.0.0.1"
	srv, err := devsim.Start(ctx, hosts, sim)
	if err != nil {
		l.cleanup()
		return nil, err
	}
	l.Server = srv
	l.KnownHosts = filepath.Join(l.Dir, "known_hosts")
	if err := os.WriteFile(l.KnownHosts, srv.KnownHosts(), 0o600); err != nil {
		l.Close()
		return nil, err
	}
	for i := range inv.Hosts {
		h := &inv.Hosts[i]
		host, port, err := net.SplitHostPort(srv.Addr(h.Name))
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("lab %s: host %s: simulator address: %w", dir, h.Name, err)
		}
		if h.Data == nil {
			h.Data = map[string]string{}
		}
		if _, ok := h.Data["ip"]; !ok {
			if a, err := netip.ParseAddr(h.Address); err == nil {
				h.Data["ip"] = a.String()
			}
		}
		h.Address = host
		h.Port, _ = strconv.Atoi(port)
		h.Password = inventory.SecretRef{Kind: inventory.SecretFile, Ref: pwFile}
		h.Enable = inventory.SecretRef{}
		h.KnownHosts = l.KnownHosts
		h.Jump = ""
		if overAXL(h) {
			// The simulator's AXL port, its certificate pinned.
			_, port, err := net.SplitHostPort(srv.AXLAddr(h.Name))
			if err != nil {
				l.Close()
				return nil, fmt.Errorf("lab %s: host %s: simulator AXL address: %w", dir, h.Name, err)
			}
			h.AXLPort, _ = strconv.Atoi(port)
			h.AXLFingerprint = axl.FingerprintOf(srv.AXLCertificate(h.Name).Raw)
			h.AXLCAFile, h.AXLKnownHosts = "", ""
		}
	}
	l.Inventory = inv
	return l, nil
}

// overAXL reports whether the lab reads host h over AXL (transport axl
// or auto): the simulator then serves its AXL too.
func overAXL(h *inventory.Host) bool {
	return h.Platform == inventory.PlatformCUCM && (h.Transport == inventory.TransportAXL || h.Transport == inventory.TransportAuto)
}

// Close stops the simulator and removes the files Serve wrote.
func (l *Lab) Close() error {
	var err error
	if l.Server != nil {
		err = l.Server.Close()
	}
	l.cleanup()
	return err
}

func (l *Lab) cleanup() {
	if l.ownsDir {
		os.RemoveAll(l.Dir)
	}
}

func randomSecret() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
