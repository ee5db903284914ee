// Package live collects the read-only command outputs of every inventory
// host over SSH and turns them into the same snapshot offline replay of
// the saved outputs gives: the parsing is shared (collectors.Add and
// Finish, the steps of offline's collectors.Apply), and SaveRaw writes
// exactly the offline layout.
package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
)

// DefaultWorkers is how many devices are collected at once by default.
const DefaultWorkers = 16

// DefaultConnectRate is how many new connections a second Collect opens
// at most by default.
const DefaultConnectRate = 1000

// Options tune Collect. The zero value is usable.
type Options struct {
	// Workers bounds the devices collected at once (default 16).
	Workers int
	// AcceptNewHostKeys records unknown host keys in known_hosts, and
	// unknown AXL certificates in a host's axl_known_hosts (trust on
	// first use). A changed key or certificate is refused regardless.
	AcceptNewHostKeys bool
	// KnownHostsFile is used for hosts whose inventory entry sets no
	// known_hosts; "" means ~/.ssh/known_hosts.
	KnownHostsFile string
	// SaveRaw, when set, is a directory that receives what was collected
	// in the offline layout: inventory.yaml and <host>/<key>.txt.
	SaveRaw string
	// Outputs, when set, receives the outputs of each device collected,
	// by command key, as SaveRaw would write them (secrets redacted):
	// i is the host's position in the inventory. It is not called for a
	// device that failed, is called from the workers at once, and must
	// not keep outs (the run history compresses them as they come).
	Outputs func(i int, outs map[string][]byte)
	// ConnectRate bounds the new connections opened per second (default
	// DefaultConnectRate; negative: no bound). Without it every worker
	// dials at the same instant: the burst of SSH handshakes (and of
	// logins on the AAA server behind the devices) slows all of them,
	// and workers that start together stay in step for the whole audit.
	ConnectRate int
	// Logins bounds the logins (connect, SSH handshake, authentication)
	// in progress at once (default DefaultLogins(); negative: no bound).
	// A login gives its place up when it is done or after 20 ms,
	// whichever comes first, so logins over a slow WAN are not held up.
	Logins int
	// Retries is how many connection attempts are made in all (default
	// 3). Only connection errors are retried, never a failed login, a
	// host key problem, or anything after a command was sent.
	Retries int
	// Backoff is the wait before the second attempt, doubled after each
	// further one (default 1s); AXL waits as long after a 503 (throttle)
	// before it resends.
	Backoff time.Duration
	// DeviceTimeout bounds one device from first dial to last output.
	// 0 derives it from the host's timeouts and command count.
	DeviceTimeout time.Duration
	// OutputLimit caps one command's output (default facts.MaxOutputBytes);
	// a device printing more is reported failed.
	OutputLimit int64
	// Progress receives device started/done/failed events. Calls are
	// serialised; keep it quick, it holds up the worker that reports.
	Progress func(Event)
	// Logger receives debug logs; nil discards them. Secrets never reach it.
	Logger *slog.Logger
	// Dialer opens the first TCP hop of every connection; nil uses
	// net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
}

// EventKind says what happened to a device.
type EventKind int

// Event kinds.
const (
	DeviceStarted EventKind = iota + 1
	DeviceDone              // collected; Status is ok or partial
	DeviceFailed            // Err says why
)

func (k EventKind) String() string {
	switch k {
	case DeviceStarted:
		return "started"
	case DeviceDone:
		return "done"
	case DeviceFailed:
		return "failed"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one step of the collection, for a progress display.
type Event struct {
	Kind     EventKind
	Host     string
	Platform string
	Index    int // the host's position in the inventory
	Total    int // hosts in the inventory
	Finished int // devices finished so far, this one included (Done, Failed)
	Status   string
	Err      string
	Elapsed  time.Duration
}

// Collect audits every host of inv, opt.Workers at a time, and returns
// the snapshot with devices in inventory order. A device that cannot be
// reached or read is reported failed on its entry; the others are
// collected in full. The error is only for what stops the whole run: a
// secret reference of the inventory that cannot be resolved (a
// *sshx.SecretsError, returned before any device is dialled), a SaveRaw
// directory that cannot be written, or ctx ending (then the devices not
// collected are marked failed).
func Collect(ctx context.Context, inv *inventory.Inventory, opt Options) (*facts.Snapshot, error) {
	if opt.Workers <= 0 {
		opt.Workers = DefaultWorkers
	}
	if opt.Retries <= 0 {
		opt.Retries = sshx.DefaultTries
	}
	if opt.Backoff <= 0 {
		opt.Backoff = sshx.DefaultBackoff
	}
	if opt.OutputLimit <= 0 {
		opt.OutputLimit = facts.MaxOutputBytes
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	c := &collector{inv: inv, opt: opt, total: len(inv.Hosts)}
	// An unset variable or unreadable password file is the same mistake
	// for every host that names it: said once, up front, rather than as
	// a failed device after the others were dialled.
	if err := sshx.CheckSecrets(inv, &c.secrets); err != nil {
		return nil, err
	}
	if opt.SaveRaw != "" {
		if err := saveInventory(opt.SaveRaw, inv); err != nil {
			return nil, err
		}
	}
	switch {
	case opt.ConnectRate == 0:
		c.pace.gap = time.Second / DefaultConnectRate
	case opt.ConnectRate > 0:
		c.pace.gap = time.Second / time.Duration(opt.ConnectRate)
	}
	logins := opt.Logins
	if logins == 0 {
		logins = DefaultLogins()
	}
	c.gate = newLoginGate(logins)
	devices := make([]*facts.Device, len(inv.Hosts))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(opt.Workers, len(inv.Hosts)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				devices[i] = c.host(ctx, i)
			}
		}()
	}
feed:
	for i := range inv.Hosts {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	snap := &facts.Snapshot{Devices: devices}
	for i, d := range devices {
		if d == nil {
			d = collectors.NewDevice(&inv.Hosts[i])
			d.Status = facts.StatusFailed
			d.Error = fmt.Sprintf("%s: not collected: %v", d.Name, context.Cause(ctx))
			devices[i] = d
			c.emit(Event{Kind: DeviceFailed, Host: d.Name, Platform: d.Platform, Index: i, Status: d.Status, Err: d.Error})
		}
	}
	if ctx.Err() != nil {
		return snap, context.Cause(ctx)
	}
	return snap, nil
}

type collector struct {
	inv   *inventory.Inventory
	opt   Options
	total int

	mu       sync.Mutex
	finished int

	pace    pacer
	gate    *loginGate
	secrets sshx.SecretCache // password files, read once per audit
}

func (c *collector) emit(e Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.Total = c.total
	if e.Kind != DeviceStarted {
		c.finished++
		e.Finished = c.finished
	}
	if c.opt.Progress != nil {
		c.opt.Progress(e)
	}
}

// deviceTimeout is the overall budget of one device when none is set:
// every connection attempt with its backoff, the login steps and every
// command, each at its own limit. It is a safety net for a device that
// stays just inside each single limit.
func (c *collector) deviceTimeout(h *inventory.Host, ncmds int) time.Duration {
	if c.opt.DeviceTimeout > 0 {
		return c.opt.DeviceTimeout
	}
	t := h.Timeout
	if t <= 0 {
		t = inventory.DefaultTimeout
	}
	ct := h.CommandTimeout
	if ct <= 0 {
		ct = inventory.DefaultCommandTimeout
	}
	budget := time.Duration(c.opt.Retries) * t
	for i, b := 1, c.opt.Backoff; i < c.opt.Retries; i, b = i+1, b*2 {
		budget += b
	}
	// Login: the prompt, enable (up to three waits) and the paging commands.
	budget += 6 * t
	return budget + time.Duration(ncmds)*ct
}

// errDevice is the cause of a device's own deadline.
type errDevice struct{ d time.Duration }

func (e errDevice) Error() string { return fmt.Sprintf("device timeout of %s exceeded", e.d) }

func (c *collector) host(ctx context.Context, i int) *facts.Device {
	h := &c.inv.Hosts[i]
	log := c.opt.Logger.With("host", h.Name)
	start := time.Now()
	d := collectors.NewDevice(h)
	c.emit(Event{Kind: DeviceStarted, Host: h.Name, Platform: h.Platform, Index: i})
	// A device that fails is reported with none of the facts read before
	// the failure: fail starts from a fresh device.
	fail := func(err error) *facts.Device {
		d := collectors.NewDevice(h)
		d.Status = facts.StatusFailed
		d.Error = h.Name + ": " + err.Error()
		if c.opt.SaveRaw != "" {
			// Outputs of an earlier run must not stand in for this one.
			if err := removeHost(c.opt.SaveRaw, h.Name); err != nil {
				log.Debug("save raw", "err", err.Error())
			}
		}
		log.Debug("device failed", "err", d.Error, "elapsed", time.Since(start))
		c.emit(Event{Kind: DeviceFailed, Host: h.Name, Platform: h.Platform, Index: i,
			Status: d.Status, Err: d.Error, Elapsed: time.Since(start)})
		return d
	}
	if ctx.Err() != nil {
		return fail(fmt.Errorf("not collected: %w", context.Cause(ctx)))
	}
	cmds, err := platform.Commands(h.Platform)
	if err != nil {
		return fail(err)
	}
	cmds = collectors.Live(cmds)
	limit := c.deviceTimeout(h, len(cmds))
	dctx, cancel := context.WithTimeoutCause(ctx, limit, errDevice{limit})
	defer cancel()

	log.Debug("device start", "device", h)
	if err := c.pace.wait(dctx); err != nil {
		return fail(fmt.Errorf("not collected: %w", err))
	}
	leave, err := c.gate.enter(dctx)
	if err != nil {
		return fail(fmt.Errorf("not collected: %w", err))
	}
	log.Debug("admitted", "elapsed", time.Since(start))
	var axlWarning *facts.ParseError // why auto read the node over the CLI
	if transport := transportOf(h); transport != inventory.TransportCLI {
		outs, err := c.viaAXL(dctx, h, d, leave, log)
		if err == nil {
			return c.finish(i, h, d, outs, nil, start, log)
		}
		var unusable *axlUnusableError
		if transport == inventory.TransportAXL || !errors.As(err, &unusable) {
			return fail(err)
		}
		log.Debug("axl unusable, reading over the CLI", "err", err.Error())
		axlWarning = facts.Errorf("axl", 0, "read over the CLI: AXL could not be used: %v", unusable.err)
		leave = func() {}
		failCLI := fail
		fail = func(err error) *facts.Device {
			return failCLI(fmt.Errorf("%w (over the CLI, after AXL could not be used: %v)", err, unusable.err))
		}
	}
	conn, err := sshx.Connect(dctx, c.inv, h, sshx.Config{
		KnownHostsFile:    c.opt.KnownHostsFile,
		AcceptNewHostKeys: c.opt.AcceptNewHostKeys,
		Dialer:            c.opt.Dialer,
		Tries:             c.opt.Retries,
		Backoff:           c.opt.Backoff,
		Logger:            c.opt.Logger,
		Secrets:           &c.secrets,
	})
	leave()
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	log.Debug("connected", "attempts", conn.Attempts, "elapsed", time.Since(start))
	sess, err := conn.OpenSession(dctx, sshx.SessionOptions{LoginTimeout: h.Timeout, OutputLimit: c.opt.OutputLimit})
	if err != nil {
		return fail(err)
	}
	defer sess.Close()
	log.Debug("logged in", "elapsed", time.Since(start))

	// Each output is parsed as it arrives, so that a device never holds
	// all its outputs at once.
	var outs map[string][]byte       // kept only to be saved
	var redacted []*facts.ParseError // outputs that held a secret, said in the report
	if c.opt.SaveRaw != "" || c.opt.Outputs != nil {
		outs = make(map[string][]byte, len(cmds))
	}
	for _, cmd := range cmds {
		if cmd.When != nil && !cmd.When(d) {
			continue
		}
		t0 := time.Now()
		// The output is the session's buffer: parsed here, and copied
		// only to be saved.
		out, err := sess.RunShared(dctx, cmd.CLI, h.CommandTimeout)
		switch {
		case err == nil:
			// A device that prints one of our secrets (a type 0 password
			// in its config) must not get it into the snapshot or files;
			// only the secret's value after a password keyword is
			// replaced, so the parser still reads the device's text.
			var n int
			if out, n = conn.RedactOutput(out); n > 0 {
				redacted = append(redacted, facts.Errorf(cmd.Key, 0, "%d value(s) of this audit's login secrets redacted (printed after a password or secret keyword)", n))
			}
			log.Debug("command done", "command", cmd.CLI, "bytes", len(out), "elapsed", time.Since(t0))
			if outs != nil {
				outs[cmd.Key] = bytes.Clone(out)
			}
			collectors.Add(d, cmd, out, nil)
		case errors.Is(err, sshx.ErrRejected):
			// Offline, a command the device does not know is a missing
			// file; live it is the same.
			log.Debug("command rejected", "command", cmd.CLI, "err", err.Error())
			collectors.Add(d, cmd, nil, fmt.Errorf("%w: %v", fs.ErrNotExist, err))
		case errors.Is(err, sshx.ErrRefused):
			log.Debug("command refused", "command", cmd.CLI, "err", err.Error())
			collectors.Add(d, cmd, nil, err)
		default:
			return fail(err)
		}
	}
	// The device's line is free before the raw outputs are written.
	sess.Close()
	conn.Close()
	if axlWarning != nil {
		redacted = append(redacted, axlWarning)
	}
	return c.finish(i, h, d, outs, redacted, start, log)
}

// finish completes a collected device: its status, the warnings about
// its outputs, and the outputs handed to Options.Outputs and SaveRaw.
func (c *collector) finish(i int, h *inventory.Host, d *facts.Device, outs map[string][]byte, warnings []*facts.ParseError, start time.Time, log *slog.Logger) *facts.Device {
	collectors.Finish(d)
	for _, w := range warnings {
		w.Host = d.Name
		d.Warnings = append(d.Warnings, w)
	}
	if c.opt.Outputs != nil {
		c.opt.Outputs(i, outs)
	}
	if c.opt.SaveRaw != "" {
		if err := saveHost(c.opt.SaveRaw, h.Name, outs); err != nil {
			d.Errors = append(d.Errors, &facts.ParseError{Host: h.Name, Key: "save-raw", Msg: err.Error()})
			if d.Status == facts.StatusOK {
				d.Status = facts.StatusPartial
			}
		}
	}
	log.Debug("device done", "status", d.Status, "elapsed", time.Since(start))
	c.emit(Event{Kind: DeviceDone, Host: h.Name, Platform: h.Platform, Index: i,
		Status: d.Status, Elapsed: time.Since(start)})
	return d
}
