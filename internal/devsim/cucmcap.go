package devsim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/google/gopacket/pcapgo"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// CUCMCapture is what a simulated CUCM's `utils network capture` records
// and how the node behaves around it. Every line of the dialogue is in
// shapes.go with the public document it follows, or a note that none was
// found (the wording for a missing file or a failed transfer, where the
// host-key question comes).
type CUCMCapture struct {
	// Pcap is the capture the node takes (a classic pcap); a count below
	// its packets ends the capture at once with the first count packets,
	// otherwise it holds the CLI until Ctrl-C.
	Pcap []byte
	// IgnoreInterrupt makes Ctrl-C do nothing: the capture holds the CLI
	// until the client goes away (which still keeps the file).
	IgnoreInterrupt bool
	// PushFails makes every transfer fail, as when the node cannot reach
	// the SFTP server it was given.
	PushFails bool
}

var (
	cucmCapCmd    = regexp.MustCompile(`^utils network capture (\S+) file ([A-Za-z0-9_]{1,64}) count ([0-9]{1,9}) size all host ip (\S+)$`)
	cucmGetCmd    = regexp.MustCompile(`^file get activelog platform/cli/([A-Za-z0-9_]{1,64})\.cap$`)
	cucmDeleteCmd = regexp.MustCompile(`^file delete activelog platform/cli/([A-Za-z0-9_]{1,64})\.cap noconfirm$`)
)

// CUCMCaptureFiles lists the capture files a CUCM host holds now.
func (s *Server) CUCMCaptureFiles(host string) []string {
	h := s.byName[host]
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for n := range h.caps {
		out = append(out, n+".cap")
	}
	sort.Strings(out)
	return out
}

func (h *hostState) saveCapture(name string, data []byte) {
	h.mu.Lock()
	if h.caps == nil {
		h.caps = map[string][]byte{}
	}
	h.caps[name] = data
	h.mu.Unlock()
}

func (h *hostState) capture(name string) ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b, ok := h.caps[name]
	return b, ok
}

// cucmCapture plays the capture commands; ok=false when line is none of
// them, cont=false when the session ends.
func (s *session) cucmCapture(line string) (cont, ok bool) {
	if m := cucmCapCmd.FindStringSubmatch(line); m != nil {
		n, _ := strconv.Atoi(m[3])
		return s.cucmRunCapture(m[2], n, m[1], m[4]), true
	}
	if m := cucmGetCmd.FindStringSubmatch(line); m != nil {
		return s.cucmFileGet(m[1]), true
	}
	if m := cucmDeleteCmd.FindStringSubmatch(line); m != nil {
		s.h.mu.Lock()
		_, had := s.h.caps[m[1]]
		delete(s.h.caps, m[1])
		s.h.mu.Unlock()
		if had {
			s.sayln(cucmDeletedOneFile)
		} else {
			s.cucmNoFile()
		}
		return s.cucmPrompt(), true
	}
	return false, false
}

func (s *session) cucmPrompt() bool {
	if s.interactive {
		s.prompt()
	}
	return s.w.Flush() == nil
}

func (s *session) cucmNoFile() {
	s.failed = true
	s.sayln(cucmNoFiles)
	s.sayln(cucmFailed)
}

// cucmRunCapture holds the CLI like the real capture: until count packets
// (when the lab's capture has that many) or Ctrl-C. A dropped session
// stops it too, and the file is kept.
func (s *session) cucmRunCapture(name string, count int, iface, host string) bool {
	data, n, err := firstPackets(s.h.CUCMCapture.Pcap, count)
	if err != nil {
		s.sayln(err.Error())
		s.sayln(cucmFailed)
		return s.cucmPrompt()
	}
	s.sayln(cucmCaptureHeader)
	s.text(fmt.Sprintf(cucmCaptureFormat, "ALL", strconv.Itoa(count), iface, "", "", host))
	if n >= count {
		s.h.saveCapture(name, data)
		return s.cucmPrompt()
	}
	for {
		b, err := s.readByte()
		if err != nil {
			s.h.saveCapture(name, data)
			return false
		}
		if b == 0x03 && !s.h.CUCMCapture.IgnoreInterrupt {
			s.srv.record(s.h, cucmInterruptEcho)
			s.h.saveCapture(name, data)
			s.sayln(cucmInterruptEcho)
			return s.cucmPrompt()
		}
	}
}

// kbytes writes a size in KiB as the CUCM CLI does: at most four
// decimals, trailing zeros dropped ("2414.876" for 2472833 bytes, see
// cucmTotalKbytes).
func kbytes(n int) string {
	return strconv.FormatFloat(math.Round(float64(n)/1024*1e4)/1e4, 'f', -1, 64)
}

// firstPackets cuts a pcap to its first count packets and counts them.
func firstPackets(pcap []byte, count int) ([]byte, int, error) {
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		return nil, 0, fmt.Errorf("lab capture: %w", err)
	}
	var out bytes.Buffer
	var w *pcapgo.Writer
	if r.Resolution().ToDuration() == time.Nanosecond {
		w = pcapgo.NewWriterNanos(&out)
	} else {
		w = pcapgo.NewWriter(&out)
	}
	if err := w.WriteFileHeader(r.Snaplen(), r.LinkType()); err != nil {
		return nil, 0, err
	}
	n := 0
	for n < count {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		if err := w.WritePacket(ci, data); err != nil {
			return nil, 0, err
		}
		n++
	}
	return out.Bytes(), n, nil
}

// cucmFileGet asks where to push the file and pushes it over SFTP, only
// ever to a loopback address.
func (s *session) cucmFileGet(name string) bool {
	data, ok := s.h.capture(name)
	s.sayln(cucmGathering)
	if !ok {
		s.cucmNoFile()
		return s.cucmPrompt()
	}
	s.sayln(cucmNoSubdirs)
	s.sayln(cucmFilesAffected + "1")
	s.sayln(cucmTotalBytes + strconv.Itoa(len(data)))
	s.sayln(cucmTotalKbytes + kbytes(len(data)))
	ask := func(q string, echo bool) (string, bool) {
		s.emitS(q)
		a, err := s.readLine(echo)
		if err != nil {
			return "", false
		}
		if echo {
			s.srv.record(s.h, a)
		} else {
			s.srv.record(s.h, Redacted)
		}
		return a, true
	}
	a, ok := ask(cucmProceed, true)
	if !ok {
		return false
	}
	if a != "y" && a != "yes" {
		return s.cucmPrompt()
	}
	s.sayln("")
	ip, ok1 := ask(cucmSFTPIP, true)
	port, ok2 := ask(cucmSFTPPort, true)
	user, ok3 := ask(cucmSFTPUser, true)
	pw, ok4 := ask(cucmSFTPPassword, false)
	dir, ok5 := ask(cucmDownloadDir, true)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return false
	}
	if port == "" {
		port = "22"
	}
	err := s.cucmPush(ip, port, user, pw, dir, name+".cap", data)
	if errors.Is(err, errGone) {
		return false
	}
	if err != nil {
		s.failed = true
		s.sayln("")
		s.sayln(cucmTransferFailed + err.Error())
		s.sayln(cucmFailed)
		return s.cucmPrompt()
	}
	s.sayln(cucmTransferDot)
	s.sayln(cucmTransferDone)
	return s.cucmPrompt()
}

var errGone = errors.New("client gone")

// cucmPush is CUCM's SFTP client. The host key is new to the node, so it
// asks whether to trust it, as OpenSSH does.
func (s *session) cucmPush(ip, port, user, pw, dir, file string, data []byte) error {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return fmt.Errorf("invalid SFTP server IP %q", ip)
	}
	if !a.IsLoopback() {
		return fmt.Errorf("devsim pushes only to loopback, not %s", a)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("invalid port %q", port)
	}
	if s.h.CUCMCapture.PushFails {
		return errors.New("could not connect to the SFTP server")
	}
	gone := false
	cfg := &ssh.ClientConfig{
		User:    user,
		Auth:    []ssh.AuthMethod{ssh.Password(pw)},
		Timeout: 5 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			sum := sha256.Sum256(key.Marshal())
			s.sayln("")
			s.sayln(fmt.Sprintf(sftpHostUnknownFormat, ip, ip))
			s.sayln(fmt.Sprintf(sftpFingerprintFormat, key.Type(), base64.RawStdEncoding.EncodeToString(sum[:])))
			s.emitS(sftpContinue)
			ans, err := s.readLine(true)
			if err != nil {
				gone = true
				return errGone
			}
			s.srv.record(s.h, ans)
			if ans != "yes" {
				return errors.New("host key not accepted")
			}
			return nil
		},
	}
	c, err := ssh.Dial("tcp", net.JoinHostPort(a.String(), port), cfg)
	if gone {
		return errGone
	}
	if err != nil {
		return errors.New("could not connect to the SFTP server")
	}
	defer c.Close()
	sc, err := sftp.NewClient(c)
	if err != nil {
		return fmt.Errorf("sftp: %w", err)
	}
	defer sc.Close()
	// The node files the capture under a directory of its own name.
	sub := path.Join(dir, s.h.Name)
	if err := sc.Mkdir(sub); err != nil {
		return fmt.Errorf("sftp mkdir: %w", err)
	}
	f, err := sc.Create(path.Join(sub, file))
	if err != nil {
		return fmt.Errorf("sftp create: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("sftp write: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sftp close: %w", err)
	}
	return nil
}
