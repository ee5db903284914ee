package confirm

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// receiver is the SFTP server CUCM's `file get` pushes the capture to: it
// takes exactly one upload of the one expected file name, from the one
// expected peer, with a user and password made for this transfer and an
// ephemeral host key, bounded in size, and closes after the transfer or
// its lifetime. Nothing can be read or listed from it.
type receiver struct {
	ln       net.Listener
	user     string
	password string // never printed, logged or saved
	peer     netip.Addr
	want     string // base name of the one file accepted
	limit    int64
	dir      string

	mu       sync.Mutex
	claimed  bool // an upload of the file began
	conns    map[net.Conn]bool
	done     chan struct{}
	doneOnce sync.Once
	path     string
	size     int64
	err      error
	wg       sync.WaitGroup
}

// startReceiver listens on addr (port 0 picks one) for one upload of want
// from peer (any peer when invalid), for at most lifetime.
func startReceiver(addr netip.AddrPort, peer netip.Addr, want string, limit int64, lifetime time.Duration) (*receiver, error) {
	if !addr.Addr().IsValid() || addr.Addr().IsUnspecified() {
		return nil, fmt.Errorf("SFTP listen address %s: a specific address is needed, the one the call manager connects to", addr)
	}
	ln, err := net.Listen("tcp", addr.String())
	if err != nil {
		return nil, fmt.Errorf("SFTP receiver: %w", err)
	}
	dir, err := os.MkdirTemp("", "kaudit-sftp-")
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("SFTP receiver: %w", err)
	}
	r := &receiver{
		ln: ln, peer: peer, want: want, limit: limit, dir: dir,
		user:     "kaudit" + randHex(4),
		password: newPassword(),
		conns:    map[net.Conn]bool{},
		done:     make(chan struct{}),
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		r.close()
		return nil, err
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		r.close()
		return nil, err
	}
	cfg := &ssh.ServerConfig{
		MaxAuthTries: 3,
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			u := subtle.ConstantTimeCompare([]byte(c.User()), []byte(r.user))
			p := subtle.ConstantTimeCompare(pw, []byte(r.password))
			if u&p == 1 {
				return nil, nil
			}
			return nil, errors.New("denied")
		},
	}
	cfg.AddHostKey(signer)
	r.wg.Add(2)
	go r.serve(cfg)
	go func() {
		defer r.wg.Done()
		select {
		case <-r.done:
			// The client still closes its handle and session: only no
			// one else may come.
			r.ln.Close()
		case <-time.After(lifetime):
			r.finish("", 0, fmt.Errorf("no upload of %s within %s", want, lifetime))
			r.shut()
		}
	}()
	return r, nil
}

// Port is the port the receiver listens on.
func (r *receiver) Port() int { return r.ln.Addr().(*net.TCPAddr).Port }

func (r *receiver) serve(cfg *ssh.ServerConfig) {
	defer r.wg.Done()
	for {
		nc, err := r.ln.Accept()
		if err != nil {
			return
		}
		if ap, err := netip.ParseAddrPort(nc.RemoteAddr().String()); err != nil || r.peer.IsValid() && ap.Addr().Unmap() != r.peer {
			nc.Close() // only the call manager pushes here
			continue
		}
		r.mu.Lock()
		select {
		case <-r.done:
			r.mu.Unlock()
			nc.Close()
			return
		default:
		}
		r.conns[nc] = true
		r.wg.Add(1)
		r.mu.Unlock()
		go r.handle(nc, cfg)
	}
}

func (r *receiver) handle(nc net.Conn, cfg *ssh.ServerConfig) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		delete(r.conns, nc)
		r.mu.Unlock()
		nc.Close()
	}()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	sc, chans, reqs, err := ssh.NewServerConn(nc, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	_ = nc.SetDeadline(time.Time{})
	go ssh.DiscardRequests(reqs)
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(ssh.UnknownChannelType, "only sftp")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		go func() {
			for req := range creqs {
				ok := req.Type == "subsystem" && len(req.Payload) > 4 && string(req.Payload[4:]) == "sftp"
				if req.WantReply {
					_ = req.Reply(ok, nil)
				}
				if !ok {
					continue
				}
				h := &uploadFS{r: r}
				srv := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h})
				_ = srv.Serve()
				srv.Close()
			}
		}()
	}
}

// finish records the outcome once.
func (r *receiver) finish(p string, n int64, err error) {
	r.doneOnce.Do(func() {
		r.mu.Lock()
		r.path, r.size, r.err = p, n, err
		r.mu.Unlock()
		close(r.done)
	})
}

// shut stops listening and drops every connection.
func (r *receiver) shut() {
	r.ln.Close()
	r.mu.Lock()
	for nc := range r.conns {
		nc.Close()
	}
	r.mu.Unlock()
}

// wait returns the received file, or why there is none.
func (r *receiver) wait(ctx context.Context) (string, int64, error) {
	select {
	case <-r.done:
	case <-ctx.Done():
		r.finish("", 0, context.Cause(ctx))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.path, r.size, r.err
}

// close ends the receiver and removes its directory (the caller moves
// the file out first).
func (r *receiver) close() {
	r.finish("", 0, errors.New("receiver closed"))
	r.shut()
	r.wg.Wait()
	os.RemoveAll(r.dir)
}

// uploadFS is the receiver's view of a file system: directories exist
// wherever the client looks (CUCM may create its own below the download
// directory), the expected file can be written once, nothing can be read.
type uploadFS struct{ r *receiver }

func (u *uploadFS) Fileread(*sftp.Request) (io.ReaderAt, error) {
	return nil, sftp.ErrSSHFxPermissionDenied
}

func (u *uploadFS) Filewrite(req *sftp.Request) (io.WriterAt, error) {
	r := u.r
	if path.Base(req.Filepath) != r.want {
		return nil, sftp.ErrSSHFxPermissionDenied
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.claimed {
		return nil, sftp.ErrSSHFxPermissionDenied
	}
	r.claimed = true
	f, err := os.OpenFile(filepath.Join(r.dir, r.want), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, sftp.ErrSSHFxFailure
	}
	return &boundedFile{f: f, r: r}, nil
}

func (u *uploadFS) Filecmd(req *sftp.Request) error {
	switch req.Method {
	case "Setstat", "Mkdir":
		return nil
	}
	return sftp.ErrSSHFxPermissionDenied
}

func (u *uploadFS) Filelist(req *sftp.Request) (sftp.ListerAt, error) {
	switch req.Method {
	case "List":
		return listerAt(nil), nil
	case "Stat":
		if path.Base(req.Filepath) == u.r.want {
			return nil, sftp.ErrSSHFxNoSuchFile
		}
		return listerAt{dirInfo(path.Base(req.Filepath))}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// boundedFile writes the upload, refusing anything past the limit; its
// Close (when the client closes the handle) ends the transfer.
type boundedFile struct {
	f   *os.File
	r   *receiver
	max int64
	err error
}

func (b *boundedFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > b.r.limit {
		b.err = fmt.Errorf("upload larger than %d bytes", b.r.limit)
		return 0, sftp.ErrSSHFxFailure
	}
	n, err := b.f.WriteAt(p, off)
	if end := off + int64(n); end > b.max {
		b.max = end
	}
	if err != nil && b.err == nil {
		b.err = err
	}
	return n, err
}

func (b *boundedFile) Close() error {
	err := b.f.Close()
	if b.err != nil {
		err = b.err
	}
	if err != nil {
		b.r.finish("", 0, fmt.Errorf("upload of %s: %w", b.r.want, err))
		return err
	}
	b.r.finish(b.f.Name(), b.max, nil)
	return nil
}

type listerAt []os.FileInfo

func (l listerAt) ListAt(ls []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(ls, l[off:])
	if n < len(ls) {
		return n, io.EOF
	}
	return n, nil
}

type dirInfo string

func (d dirInfo) Name() string       { return string(d) }
func (d dirInfo) Size() int64        { return 0 }
func (d dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o700 }
func (d dirInfo) ModTime() time.Time { return time.Time{} }
func (d dirInfo) IsDir() bool        { return true }
func (d dirInfo) Sys() any           { return nil }

// newPassword makes the receiver's one-time password; tests swap it for
// a canary.
var newPassword = func() string { return randHex(16) }

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
