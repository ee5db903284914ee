package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/axl"
	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
)

// transportOf is how h is read: AXL or auto only for a call manager, the
// CLI otherwise.
func transportOf(h *inventory.Host) string {
	if h.Platform != facts.PlatformCUCM || h.Transport == "" {
		return inventory.TransportCLI
	}
	return h.Transport
}

// axlUnusableError is AXL failing before any query was answered: no
// AXL service, no login, no trusted certificate, no common schema. With
// transport auto the node is then read over the CLI.
type axlUnusableError struct{ err error }

func (e *axlUnusableError) Error() string { return "AXL: " + e.err.Error() }

func (e *axlUnusableError) Unwrap() error { return e.err }

// viaAXL reads CUCM node h over AXL into d: the CLI's queries through
// executeSQLQuery, each answer parsed as it arrives, and returns the
// answers by key for Outputs and SaveRaw. leave gives the login gate's
// place back once the node answered the login. A fault on one query is
// that output's error, as a rejected CLI command is; anything else fails
// the device.
func (c *collector) viaAXL(ctx context.Context, h *inventory.Host, d *facts.Device, leave func(), log *slog.Logger) (map[string][]byte, error) {
	defer leave()
	unusable := func(err error) error { return &axlUnusableError{err: err} }
	if h.Jump != "" {
		return nil, unusable(fmt.Errorf("the node is reached through jump host %s, and AXL does not go through one", h.Jump))
	}
	if h.Password.IsZero() {
		return nil, unusable(errors.New("no password: AXL logs in with the host's username and password"))
	}
	pw, err := c.secrets.Resolve(h.Password)
	if err != nil {
		return nil, unusable(fmt.Errorf("password: %w", err))
	}
	client, err := axl.Dial(ctx, axl.Config{
		Host: h.Address, Port: h.AXLPort, Username: h.Username, Password: pw,
		Version: h.AXLVersion,
		Trust: axl.Trust{
			Fingerprint: h.AXLFingerprint, CAFile: h.AXLCAFile,
			KnownHosts: h.AXLKnownHosts, AcceptNew: c.opt.AcceptNewHostKeys,
		},
		ConnectTimeout: h.Timeout,
		Timeout:        h.CommandTimeout,
		Backoff:        c.opt.Backoff,
		OutputLimit:    c.opt.OutputLimit,
		Dialer:         c.opt.Dialer,
		Logger:         log,
	})
	leave()
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, unusable(err)
	}
	defer client.Close()
	log.Debug("axl logged in", "release", client.Release, "schema", client.Version())
	cmds := cucm.AXLCommands()
	var outs map[string][]byte
	if c.opt.SaveRaw != "" || c.opt.Outputs != nil {
		outs = make(map[string][]byte, len(cmds))
	}
	for _, cmd := range cmds {
		out, err := client.Query(ctx, cmd.CLI)
		var fe *axl.FaultError
		switch {
		case err == nil:
			// As over SSH: a secret printed after a password keyword
			// never reaches the snapshot or the saved files.
			if red, n := sshx.RedactSecrets(out, pw); n > 0 {
				out = red
				d.Warnings = append(d.Warnings, &facts.ParseError{Host: d.Name, Key: cmd.Key,
					Msg: fmt.Sprintf("%d value(s) of this audit's login secrets redacted (printed after a password or secret keyword)", n)})
			}
			if outs != nil {
				outs[cmd.Key] = out
			}
			collectors.Add(d, cmd, out, nil)
		case errors.As(err, &fe), errors.Is(err, sshx.ErrRefused):
			log.Debug("axl query failed", "key", cmd.Key, "err", err.Error())
			collectors.Add(d, cmd, nil, err)
		case len(d.Keys) == 0 && len(d.Errors) == 0:
			// The first query is where a set schema version meets
			// the node: failing there, AXL was of no use.
			return nil, unusable(err)
		default:
			return nil, err
		}
	}
	return outs, nil
}
