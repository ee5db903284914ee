package confirm

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
)

// CUCM capture, as far as public sources describe it (Cisco's CUCM and
// Emergency Responder packet-capture notes, a TAC SIP/TLS example and
// admins' transcripts):
//
//   - `utils network capture eth0 file NAME count N size all host ip A`
//     runs in the foreground until N packets or Ctrl-C; closing the CLI
//     session also stops it, and the file is kept. It lands as
//     `activelog platform/cli/NAME.cap`, a classic pcap.
//   - `file get activelog platform/cli/NAME.cap` prints "Please wait while
//     the system is gathering files info ...done.", "Number of files
//     affected: 1", "Total size in Bytes: N", then asks "Would you like to
//     proceed [y/n]?", "SFTP server IP:", "SFTP server port [22]:",
//     "User ID:", "Password:" and (newer releases) "Download directory:",
//     pushes the file over SFTP and prints "Transfer completed.".
//     Automation written for CUCM 15 also answers an SSH host-key question
//     ("Are you sure you want to continue connecting (yes/no)?"); whether
//     and where CUCM asks it is not documented, so it is answered when
//     asked. Some releases create subdirectories below the download
//     directory; the receiver accepts any directory.
//   - `file delete activelog platform/cli/NAME.cap noconfirm` removes it.
//
// The docs are silent on the capture's own output while it runs, on the
// wording when a file does not exist or a transfer fails, and on how CUCM
// treats the receiver's changing host key; kaudit relies on none of it:
// it reads the prompt, "Executed command unsuccessfully" and the size.

// cucmPath is where `utils network capture` leaves file NAME.
func cucmPath(name string) string { return "activelog platform/cli/" + name + ".cap" }

func cucmCommands(p *Plan) Commands {
	return Commands{
		Start:   []string{fmt.Sprintf("utils network capture eth0 file %s count %d size all host ip %s", p.Name, p.Packets, p.PhoneIP)},
		Fetch:   "file get " + cucmPath(p.Name),
		Cleanup: []string{"file delete " + cucmPath(p.Name) + " noconfirm"},
		Format:  "pcap",
	}
}

// atCUCM points the plan at the call manager node the phone registers
// to: its CallManager fact, else the node holding the call manager
// address the phone keeps alive to.
func (p *Plan) atCUCM(snap *facts.Snapshot, inv *inventory.Inventory, ph *facts.Phone) error {
	var d *facts.Device
	if c := device(snap, ph.CallManager); c != nil && c.Platform == facts.PlatformCUCM {
		d = c
	} else if p.CMIP != "" {
		for _, c := range snap.CallManagers() {
			if c.IP == p.CMIP {
				d = c
				break
			}
		}
	}
	if d == nil {
		return fmt.Errorf("phone %s: the call manager it registers to is unknown", ph.Name)
	}
	if d.IP != "" {
		p.CMIP = d.IP
	}
	h := findHost(inv, d.Name)
	if h == nil || h.Platform != inventory.PlatformCUCM {
		h = nil
		for i := range inv.Hosts {
			c := &inv.Hosts[i]
			if c.Platform == inventory.PlatformCUCM && p.CMIP != "" && (c.Address == p.CMIP || c.Data["ip"] == p.CMIP) {
				h = c
				break
			}
		}
	}
	if h == nil {
		return fmt.Errorf("phone %s: call manager %s (%s) is not a CUCM host in the inventory", ph.Name, d.Name, p.CMIP)
	}
	if p.CMIP == "" {
		return fmt.Errorf("phone %s: call manager %s has no known address", ph.Name, d.Name)
	}
	p.Host, p.Method, p.Interface = h.Name, MethodCUCM, "eth0"
	return nil
}

// FileGetInfo is what `file get` reports before it asks to proceed.
type FileGetInfo struct {
	Files int
	Bytes int64
}

var fileGetLine = regexp.MustCompile(`^\s*(Number of files affected|Total size in Bytes)\s*:\s*(\S+)\s*$`)

// ParseFileGet reads the file count and total size from a `file get`
// transcript. Both must be present, once, and plain non-negative
// integers.
func ParseFileGet(data []byte) (FileGetInfo, error) {
	const key = "file_get"
	var info FileGetInfo
	if err := facts.CheckText(key, data); err != nil {
		return info, err
	}
	seenFiles, seenBytes := false, false
	var err error
	facts.Lines(data, func(ln facts.Line) bool {
		m := fileGetLine.FindStringSubmatch(ln.Text)
		if m == nil {
			return true
		}
		n, perr := strconv.ParseInt(m[2], 10, 64)
		if perr != nil || n < 0 {
			err = facts.Errorf(key, ln.N, "%s: %q is not a count", m[1], trim(m[2]))
			return false
		}
		files := m[1] == "Number of files affected"
		if files && seenFiles || !files && seenBytes {
			err = facts.Errorf(key, ln.N, "%s given twice", m[1])
			return false
		}
		if files {
			if n > 1<<20 {
				err = facts.Errorf(key, ln.N, "%d files", n)
				return false
			}
			info.Files, seenFiles = int(n), true
		} else {
			info.Bytes, seenBytes = n, true
		}
		return true
	})
	if err != nil {
		return FileGetInfo{}, err
	}
	if !seenFiles || !seenBytes {
		return FileGetInfo{}, fmt.Errorf("%s: no file count and size in the output", key)
	}
	return info, nil
}

// fileGetQuestions answers `file get` with the receiver's address and
// one-time account.
func fileGetQuestions(r *receiver, addr netip.Addr) []sshx.Question {
	re := func(s string) *regexp.Regexp { return regexp.MustCompile(`(?i)` + s + `\s*$`) }
	return []sshx.Question{
		{Name: "confirmation", Match: re(`would you like to proceed\s*\[y/n\]\?`), Kind: sshx.AnswerYes, Answer: "y"},
		{Name: "SFTP server IP", Match: re(`sftp server ip:`), Kind: sshx.AnswerIP, Answer: addr.String()},
		{Name: "SFTP server port", Match: re(`sftp server port( \[\d+\])?:`), Kind: sshx.AnswerPort, Answer: strconv.Itoa(r.Port())},
		{Name: "user ID", Match: re(`user id:`), Kind: sshx.AnswerUser, Answer: r.user},
		{Name: "password", Match: re(`password:`), Kind: sshx.AnswerSecret, Answer: r.password},
		{Name: "download directory", Match: re(`download directory:`), Kind: sshx.AnswerPath, Answer: "/", Optional: true},
		{Name: "host key confirmation", Match: re(`continue connecting \(yes/no(/\[fingerprint\])?\)\?`), Kind: sshx.AnswerYes, Answer: "yes", Optional: true},
	}
}

// runCUCM captures in CUCM's foreground, has the file pushed to a
// one-time SFTP receiver and removes it from the node in every case.
func runCUCM(ctx context.Context, inv *inventory.Inventory, h *inventory.Host, p *Plan, cmds Commands, cmdTimeout time.Duration, o Options, res *Result) (*Result, error) {
	conn, err := sshx.Connect(ctx, inv, h, o.SSH)
	if err != nil {
		return res, fmt.Errorf("%s: %w", h.Name, err)
	}
	defer conn.Close()
	listen, err := sftpListen(conn, o.SFTPListen)
	if err != nil {
		return res, fmt.Errorf("%s: %w", h.Name, err)
	}
	peer, _ := conn.RemoteIP()
	// A pcap of the packet bound, generously: headers and full frames.
	limit := min(int64(p.Packets)*(65535+16)+24, 2<<30)
	transfer := cmdTimeout + o.TransferTimeout
	// file get is no show command: it needs the opt-in as well.
	sess, err := conn.OpenSession(ctx, sshx.SessionOptions{LoginTimeout: h.Timeout, CaptureCommands: append(cmds.all(), cmds.Fetch)})
	if err != nil {
		return res, fmt.Errorf("%s: %w", h.Name, err)
	}
	defer sess.Close()
	started := false
	defer func() {
		if started {
			res.CleanupErr = cleanupCUCM(ctx, inv, h, conn, sess, cmds, o)
		}
	}()
	// Listening first: an address that cannot be used fails before the
	// capture rather than after it.
	recv, err := startReceiver(listen, peer, p.Name+".cap", limit, p.Duration+2*cmdTimeout+transfer)
	if err != nil {
		return res, fmt.Errorf("%s: %w", h.Name, err)
	}
	defer recv.close()

	started = true
	t0 := time.Now()
	if o.Progress != nil {
		o.Progress(0, p.Duration)
	}
	if _, _, err := sess.Foreground(ctx, cmds.Start[0], p.Duration, cmdTimeout); err != nil {
		return res, fmt.Errorf("%s: capturing: %w", h.Name, err)
	}
	if o.Progress != nil {
		o.Progress(time.Since(t0), p.Duration)
	}
	out, err := sess.Dialogue(ctx, cmds.Fetch, fileGetQuestions(recv, listen.Addr()), transfer)
	if err != nil {
		return res, fmt.Errorf("%s: fetching the capture: %w", h.Name, err)
	}
	info, err := ParseFileGet(out)
	if err != nil {
		return res, fmt.Errorf("%s: %s: %w", h.Name, cmds.Fetch, err)
	}
	if info.Files != 1 {
		return res, fmt.Errorf("%s: %s: %d files, want 1", h.Name, cmds.Fetch, info.Files)
	}
	wctx, cancel := context.WithTimeout(ctx, transfer)
	defer cancel()
	got, size, err := recv.wait(wctx)
	if err != nil {
		return res, fmt.Errorf("%s: receiving the capture: %w", h.Name, err)
	}
	if size != info.Bytes {
		return res, fmt.Errorf("%s: received %d bytes of the capture, the call manager reported %d", h.Name, size, info.Bytes)
	}
	if res.Pcap, err = p.pcapPath(o.Dir); err != nil {
		return res, err
	}
	if err := moveFile(got, res.Pcap); err != nil {
		return res, fmt.Errorf("saving the capture: %w", err)
	}
	if err := res.analyse(ctx); err != nil {
		return res, fmt.Errorf("%s: the capture is no pcap: %w", h.Name, err)
	}
	return res, nil
}

// cleanupCUCM deletes the capture file on a fresh context. A session that
// failed, or whose capture may still run, is dropped first: closing the
// CLI stops the capture and keeps its file, which a new session deletes.
func cleanupCUCM(ctx context.Context, inv *inventory.Inventory, h *inventory.Host, conn *sshx.Conn, sess *sshx.Session, cmds Commands, o Options) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.CleanupTimeout)
	defer cancel()
	timeout := min(o.CleanupTimeout/2, 10*time.Second)
	del := func(s *sshx.Session) error { return sendCleanup(cctx, s, cmds.Cleanup, timeout) }
	if ctx.Err() == nil && !sess.Running() {
		if err := del(sess); err == nil {
			return nil
		}
	}
	conn.Close()
	return reconnectAndClean(cctx, inv, h, o, cmds.Cleanup, "capture file", del)
}

// sftpListen is where the receiver listens and what the call manager is
// told: --sftp-listen (an IP, or IP:port), else this end of the SSH
// connection, the address the call manager already reaches us at.
func sftpListen(conn *sshx.Conn, flag string) (netip.AddrPort, error) {
	if flag != "" {
		if ap, err := netip.ParseAddrPort(flag); err == nil {
			return ap, nil
		}
		a, err := netip.ParseAddr(flag)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("--sftp-listen %q: want an IP address or IP:port", flag)
		}
		return netip.AddrPortFrom(a, 0), nil
	}
	a, err := conn.LocalIP()
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("the capture is pushed back over SFTP: %w; give --sftp-listen with an address of this machine the call manager can reach", err)
	}
	return netip.AddrPortFrom(a, 0), nil
}

func moveFile(from, to string) error {
	if err := os.Rename(from, to); err == nil {
		return nil
	}
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}
