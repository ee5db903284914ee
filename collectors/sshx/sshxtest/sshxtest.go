// Package sshxtest is a small SSH server on 127.0.0.1 for tests of the SSH
// layer: a jump host that forwards direct-tcpip channels to loopback
// addresses only, with the authentication methods and algorithms a test
// chooses (public key, password, keyboard-interactive; legacy-only
// algorithms to play an old device).
package sshxtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Config says what the server accepts.
type Config struct {
	HostKey ssh.Signer
	// ExtraHostKeys are offered too (a server with several key types).
	ExtraHostKeys []ssh.Signer
	// User, when set, is the only user name accepted.
	User string
	// Password enables password authentication with this password.
	Password string
	// KeyboardInteractive asks for "User: " (echoed) and "Password: "
	// (hidden) and accepts User and Password.
	KeyboardInteractive bool
	// Keys are accepted for public key authentication.
	Keys []ssh.PublicKey
	// Algorithms, when set, restrict key exchanges, ciphers and MACs.
	KeyExchanges, Ciphers, MACs []string
}

// Server is a running test server.
type Server struct {
	ln  net.Listener
	cfg *ssh.ServerConfig

	mu        sync.Mutex
	forwarded []string // direct-tcpip targets opened
	answers   [][]string
	wg        sync.WaitGroup
	conns     map[net.Conn]bool
	closed    bool
}

// Start listens on 127.0.0.1 on an ephemeral port.
func Start(c Config) (*Server, error) {
	if c.HostKey == nil {
		return nil, errors.New("sshxtest: no host key")
	}
	s := &Server{conns: map[net.Conn]bool{}}
	cfg := &ssh.ServerConfig{}
	cfg.KeyExchanges, cfg.Ciphers, cfg.MACs = c.KeyExchanges, c.Ciphers, c.MACs
	userOK := func(u string) bool { return c.User == "" || u == c.User }
	if c.Password != "" && !c.KeyboardInteractive {
		cfg.PasswordCallback = func(m ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if userOK(m.User()) && string(pw) == c.Password {
				return nil, nil
			}
			return nil, errors.New("denied")
		}
	}
	if c.KeyboardInteractive {
		cfg.KeyboardInteractiveCallback = func(m ssh.ConnMetadata, ch ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			ans, err := ch(m.User(), "kaudit test", []string{"User: ", "Password: "}, []bool{true, false})
			if err != nil {
				return nil, err
			}
			s.mu.Lock()
			s.answers = append(s.answers, ans)
			s.mu.Unlock()
			if len(ans) == 2 && userOK(ans[0]) && ans[1] == c.Password {
				return nil, nil
			}
			return nil, errors.New("denied")
		}
	}
	if len(c.Keys) > 0 {
		cfg.PublicKeyCallback = func(m ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			for _, want := range c.Keys {
				if userOK(m.User()) && bytes.Equal(k.Marshal(), want.Marshal()) {
					return nil, nil
				}
			}
			return nil, errors.New("denied")
		}
	}
	cfg.AddHostKey(c.HostKey)
	for _, k := range c.ExtraHostKeys {
		cfg.AddHostKey(k)
	}
	s.cfg = cfg
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port is the listening port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Forwarded lists the host:port of every direct-tcpip channel opened.
func (s *Server) Forwarded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.forwarded...)
}

// Answers lists the keyboard-interactive answers received (the password
// among them: tests compare, never print them).
func (s *Server) Answers() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]string(nil), s.answers...)
}

// Close stops the server and its connections.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[nc] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go s.handle(nc)
	}
}

type directTCPIP struct {
	Host     string
	Port     uint32
	OrigHost string
	OrigPort uint32
}

func (s *Server) handle(nc net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, nc)
		s.mu.Unlock()
		nc.Close()
	}()
	sc, chans, reqs, err := ssh.NewServerConn(nc, s.cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nch := range chans {
		if nch.ChannelType() != "direct-tcpip" {
			nch.Reject(ssh.UnknownChannelType, "only direct-tcpip")
			continue
		}
		var p directTCPIP
		if err := ssh.Unmarshal(nch.ExtraData(), &p); err != nil {
			nch.Reject(ssh.ConnectionFailed, "bad payload")
			continue
		}
		// Tests never reach beyond loopback, whatever they ask for.
		if ip := net.ParseIP(p.Host); ip == nil || !ip.IsLoopback() {
			nch.Reject(ssh.Prohibited, "only loopback targets")
			continue
		}
		target := net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port)))
		s.mu.Lock()
		s.forwarded = append(s.forwarded, target)
		s.mu.Unlock()
		up, err := net.Dial("tcp", target)
		if err != nil {
			nch.Reject(ssh.ConnectionFailed, fmt.Sprintf("connect failed (%v)", err))
			continue
		}
		ch, chReqs, err := nch.Accept()
		if err != nil {
			up.Close()
			continue
		}
		go ssh.DiscardRequests(chReqs)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			done := make(chan struct{}, 2)
			go func() { io.Copy(up, ch); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
			go func() { io.Copy(ch, up); ch.CloseWrite(); done <- struct{}{} }()
			// Either side ending ends the forward; closing both
			// unblocks the other copy.
			<-done
			ch.Close()
			up.Close()
			<-done
		}()
	}
}
