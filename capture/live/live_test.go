//go:build linux

package live_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/kaudit/kaudit/capture/live"
)

func frame(t *testing.T, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostFilter(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	eth := func(typ layers.EthernetType) *layers.Ethernet {
		return &layers.Ethernet{SrcMAC: mac, DstMAC: layers.EthernetBroadcast, EthernetType: typ}
	}
	ip4 := func(src, dst string) []gopacket.SerializableLayer {
		return []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4),
			&layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)},
			&layers.UDP{SrcPort: 5060, DstPort: 5060}, gopacket.Payload("x")}
	}
	arp := func(op uint16, sender, target string) []gopacket.SerializableLayer {
		return []gopacket.SerializableLayer{eth(layers.EthernetTypeARP),
			&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
				Operation: op, SourceHwAddress: mac, SourceProtAddress: net.ParseIP(sender).To4(),
				DstHwAddress: make([]byte, 6), DstProtAddress: net.ParseIP(target).To4()}}
	}
	ip6 := []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6),
		&layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolNoNextHeader,
			SrcIP: net.ParseIP("2001:db8::1"), DstIP: net.ParseIP("2001:db8::2")}}
	// Kernel-stripped VLAN tags are the norm; a tag left in the frame is
	// not looked into, as tcpdump's "host" without "vlan" does not.
	tagged := []gopacket.SerializableLayer{eth(layers.EthernetTypeDot1Q),
		&layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeIPv4},
		&layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.ParseIP("198.18.2.10"), DstIP: net.ParseIP("198.18.1.10")},
		&layers.UDP{SrcPort: 5060, DstPort: 5060}}
	const host = "198.18.2.10"
	for _, tc := range []struct {
		name string
		ls   []gopacket.SerializableLayer
		keep bool
	}{
		{"ipv4 from host", ip4(host, "198.18.1.10"), true},
		{"ipv4 to host", ip4("198.18.1.10", host), true},
		{"ipv4 other", ip4("198.18.1.10", "198.18.2.11"), false},
		{"ipv4 neighbour address", ip4("198.18.2.1", "198.18.2.100"), false},
		{"arp request for host", arp(layers.ARPRequest, "198.18.1.10", host), true},
		{"arp reply from host", arp(layers.ARPReply, host, "198.18.1.10"), true},
		{"arp other", arp(layers.ARPRequest, "198.18.1.10", "198.18.1.1"), false},
		{"ipv6", ip6, false},
		{"802.1Q tag in frame", tagged, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prog, err := live.HostFilter(netip.MustParseAddr(host), 1000)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := bpf.Assemble(prog); err != nil {
				t.Fatalf("kernel would refuse the program: %v", err)
			}
			vm, err := bpf.NewVM(prog)
			if err != nil {
				t.Fatal(err)
			}
			n, err := vm.Run(frame(t, tc.ls...))
			if err != nil {
				t.Fatal(err)
			}
			if got := n > 0; got != tc.keep {
				t.Errorf("kept=%v (returned %d), want %v", got, n, tc.keep)
			}
			if tc.keep && n != 1000 {
				t.Errorf("kept %d bytes, want the snaplen 1000", n)
			}
		})
	}
	// A frame too short for the offsets is dropped, not an error.
	prog, _ := live.HostFilter(netip.MustParseAddr(host), 1000)
	vm, _ := bpf.NewVM(prog)
	if n, _ := vm.Run([]byte{1, 2, 3}); n != 0 {
		t.Errorf("runt frame kept: %d", n)
	}
	if _, err := live.HostFilter(netip.MustParseAddr("2001:db8::1"), 1000); err == nil {
		t.Error("IPv6 host filter accepted")
	}
}

func TestOpenRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts live.Options
		want string
	}{
		{"no interface", live.Options{Duration: time.Second}, "no interface"},
		{"no duration", live.Options{Interface: "lo"}, "duration must be positive"},
		{"negative count", live.Options{Interface: "lo", Duration: time.Second, Count: -1}, "count must not be negative"},
		{"unknown interface", live.Options{Interface: "kaudit-none0", Duration: time.Second}, "kaudit-none0"},
		{"IPv6 filter", live.Options{Interface: "lo", Duration: time.Second, FilterHost: netip.MustParseAddr("::1")}, "only IPv4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := live.Open(tc.opts)
			if err == nil {
				h.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

// TestOpenWithoutPrivilege: as root, CAP_NET_RAW leaves the effective set
// of this one (locked) thread, as capabilities are per thread; it stays
// permitted, so it comes back afterwards.
func TestOpenWithoutPrivilege(t *testing.T) {
	if os.Geteuid() == 0 {
		runtime.LockOSThread()
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var caps [2]unix.CapUserData
		if err := unix.Capget(&hdr, &caps[0]); err != nil {
			runtime.UnlockOSThread()
			t.Fatal(err)
		}
		saved := caps
		caps[0].Effective &^= 1 << unix.CAP_NET_RAW
		if err := unix.Capset(&hdr, &caps[0]); err != nil {
			runtime.UnlockOSThread()
			t.Fatal(err)
		}
		defer func() {
			if err := unix.Capset(&hdr, &saved[0]); err != nil {
				t.Fatal(err) // the thread stays locked and dies with the test
			}
			runtime.UnlockOSThread()
		}()
	}
	h, err := live.Open(live.Options{Interface: "lo", Duration: time.Second})
	if err == nil {
		h.Close()
	}
	if !errors.Is(err, live.ErrPermission) || !strings.Contains(err.Error(), "CAP_NET_RAW") {
		t.Fatalf("got %v, want ErrPermission", err)
	}
}

// inNetns runs fn with the calling thread inside a fresh network namespace
// (loopback up), so sockets fn opens live there; the namespace is
// deleted at cleanup.
func inNetns(t *testing.T, setup [][]string, fn func()) {
	t.Helper()
	needTools(t, "ip")
	b := make([]byte, 3)
	rand.Read(b)
	ns := "kaudit-live-" + hex.EncodeToString(b)
	run(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { runErr("ip", "netns", "delete", ns) })
	run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	for _, c := range setup {
		args := append([]string{"-n", ns}, c...)
		out, err := runErr("ip", args...)
		if strings.Contains(out, "Unknown device type") {
			// A kernel feature, not a tool .ci/run could install (modules
			// can't be loaded here): skip loudly even when tools are required.
			t.Skip("SKIPPING: this kernel lacks a link type the test needs (not installable): ip " + strings.Join(args, " "))
		}
		if err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	target, err := os.Open("/run/netns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// The thread cannot be trusted any more: let it die with the
			// goroutine instead of serving others in the wrong namespace.
			runtime.LockOSThread()
			t.Fatal(err)
		}
	}()
	fn()
}

type result struct {
	st      live.Stats
	err     error
	file    []byte
	elapsed time.Duration
}

func runCapture(ctx context.Context, h *live.Handle) chan result {
	c := make(chan result, 1)
	go func() {
		var buf bytes.Buffer
		t0 := time.Now()
		st, err := h.Run(ctx, &buf)
		c <- result{st, err, buf.Bytes(), time.Since(t0)}
	}()
	return c
}

func readPcap(t *testing.T, data []byte) []gopacket.Packet {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var ps []gopacket.Packet
	for {
		d, _, err := r.ReadPacketData()
		if err != nil {
			break
		}
		ps = append(ps, gopacket.NewPacket(d, r.LinkType(), gopacket.Default))
	}
	return ps
}

// TestRunBounds captures on the loopback of a namespace of its own and
// checks each way a capture ends, and what the file holds. The times are
// checked against the capture's own schedule, not a machine's speed: a
// capture stopped by its duration ends no earlier than it, one stopped
// by its count or a cancel ends before it would have (it is 20 s).
func TestRunBounds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    live.Options
		send    []string // UDP datagrams to these loopback addresses
		cancel  time.Duration
		stopped string
		packets int
	}{
		{"count", live.Options{Interface: "lo", Duration: 20 * time.Second, Count: 5}, repeat("127.0.0.1", 8), 0, "count", 5},
		{"duration", live.Options{Interface: "lo", Duration: 300 * time.Millisecond}, nil, 0, "duration", 0},
		{"interrupted", live.Options{Interface: "lo", Duration: 20 * time.Second}, nil, 200 * time.Millisecond, "interrupted", 0},
		// Each datagram to self on loopback is seen once (outgoing only,
		// as tcpdump -i lo shows it).
		{"host filter", live.Options{Interface: "lo", Duration: 20 * time.Second, Count: 3, FilterHost: netip.MustParseAddr("127.0.0.2")},
			[]string{"127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2"}, 0, "count", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res result
			inNetns(t, nil, func() {
				h, err := live.Open(tc.opts)
				if err != nil {
					t.Fatal(err)
				}
				defer h.Close()
				// Bound to every loopback address: no ICMP unreachable
				// answers a datagram to 127.0.0.2.
				conn, err := net.ListenPacket("udp4", "0.0.0.0:0")
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				done := runCapture(ctx, h)
				port := conn.LocalAddr().(*net.UDPAddr).Port
				for i, dst := range tc.send {
					if _, err := conn.WriteTo([]byte("kaudit-"+dst+"-"+string(rune('a'+i))), &net.UDPAddr{IP: net.ParseIP(dst), Port: port}); err != nil {
						t.Fatal(err)
					}
				}
				if tc.cancel > 0 {
					time.Sleep(tc.cancel)
					cancel()
				}
				// A hang guard only: a capture that stops ends it at once.
				select {
				case res = <-done:
				case <-time.After(tc.opts.Duration + 30*time.Second):
					t.Fatalf("capture did not stop within 30s of its %v duration", tc.opts.Duration)
				}
			})
			if res.err != nil {
				t.Fatal(res.err)
			}
			if res.st.Stopped != tc.stopped || res.st.Packets != tc.packets {
				t.Errorf("stopped by %q after %d packets, want %q after %d", res.st.Stopped, res.st.Packets, tc.stopped, tc.packets)
			}
			if byDuration := tc.stopped == "duration"; byDuration && res.elapsed < tc.opts.Duration {
				t.Errorf("stopped by its duration after %v, before the %v", res.elapsed, tc.opts.Duration)
			} else if !byDuration && res.elapsed >= tc.opts.Duration {
				t.Errorf("stopped by %s after %v, no sooner than its %v duration would have", tc.stopped, res.elapsed, tc.opts.Duration)
			}
			ps := readPcap(t, res.file)
			if len(ps) != res.st.Packets {
				t.Fatalf("file holds %d packets, stats say %d", len(ps), res.st.Packets)
			}
			var bytesInFile int64
			seen := map[string]bool{}
			for _, p := range ps {
				bytesInFile += int64(len(p.Data()))
				udp, _ := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
				ip, _ := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
				if udp == nil || ip == nil || !strings.HasPrefix(string(udp.Payload), "kaudit-"+ip.DstIP.String()) {
					t.Errorf("unexpected packet in file: %v", p)
					continue
				}
				if seen[string(udp.Payload)] {
					t.Errorf("datagram %q written twice (loopback's outgoing copy)", udp.Payload)
				}
				seen[string(udp.Payload)] = true
				if tc.opts.FilterHost.IsValid() && ip.DstIP.String() != tc.opts.FilterHost.String() {
					t.Errorf("host filter let through %v", ip.DstIP)
				}
			}
			if bytesInFile != res.st.Bytes {
				t.Errorf("file holds %d bytes, stats say %d", bytesInFile, res.st.Bytes)
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestRunVLANTag: the kernel hands a tagged frame over untagged with the
// tag aside; the file must carry the 802.1Q header, as libpcap writes it.
func TestRunVLANTag(t *testing.T) {
	var res result
	inNetns(t, [][]string{
		{"link", "add", "kv0", "type", "veth", "peer", "name", "kv1"},
		{"link", "add", "link", "kv0", "name", "kv0.110", "type", "vlan", "id", "110"},
		{"addr", "add", "198.18.110.1/24", "dev", "kv0.110"},
		{"link", "set", "kv0", "up"}, {"link", "set", "kv1", "up"}, {"link", "set", "kv0.110", "up"},
	}, func() {
		h, err := live.Open(live.Options{Interface: "kv0", Duration: 10 * time.Second, Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		done := runCapture(context.Background(), h)
		conn, err := net.ListenPacket("udp4", "198.18.110.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// Nobody answers: the ARP request for the peer is the one frame.
		conn.WriteTo([]byte("x"), &net.UDPAddr{IP: net.ParseIP("198.18.110.2"), Port: 5060})
		// A hang guard only: the capture stops at its one frame, or at
		// its 10 s duration with none.
		select {
		case res = <-done:
		case <-time.After(40 * time.Second):
			t.Fatal("capture did not stop")
		}
	})
	if res.err != nil || res.st.Packets != 1 {
		t.Fatalf("stats %+v, err %v", res.st, res.err)
	}
	p := readPcap(t, res.file)[0]
	tag, _ := p.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q)
	arp, _ := p.Layer(layers.LayerTypeARP).(*layers.ARP)
	if tag == nil || tag.VLANIdentifier != 110 || arp == nil || net.IP(arp.DstProtAddress).String() != "198.18.110.2" {
		t.Fatalf("want an ARP request in VLAN 110, got %v", p)
	}
	if p.Metadata().Length != len(p.Data()) {
		t.Errorf("original length %d, captured %d", p.Metadata().Length, len(p.Data()))
	}
}

// hostMatch is the reference the BPF program is held to: tcpdump's "host"
// on an untagged Ethernet frame, written plainly.
func hostMatch(f []byte, a [4]byte) bool {
	at := func(off int) bool { return len(f) >= off+4 && [4]byte(f[off:off+4]) == a }
	if len(f) < 14 {
		return false
	}
	switch uint16(f[12])<<8 | uint16(f[13]) {
	case 0x0800:
		return at(26) || at(30)
	case 0x0806:
		return at(28) || at(38)
	}
	return false
}

// FuzzHostFilter checks the hand-assembled program against hostMatch on
// any frame.
func FuzzHostFilter(f *testing.F) {
	host := netip.MustParseAddr("198.18.2.10")
	seed := func(et uint16, off int) []byte {
		b := make([]byte, 60)
		b[12], b[13] = byte(et>>8), byte(et)
		a := host.As4()
		copy(b[off:], a[:])
		return b
	}
	f.Add(seed(0x0800, 26))
	f.Add(seed(0x0800, 30))
	f.Add(seed(0x0806, 28))
	f.Add(seed(0x0806, 38))
	f.Add(seed(0x86dd, 26))
	f.Add(seed(0x0800, 34))
	f.Add([]byte{})
	f.Add(seed(0x0806, 38)[:41])
	prog, err := live.HostFilter(host, 4096)
	if err != nil {
		f.Fatal(err)
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		n, err := vm.Run(frame)
		if err != nil {
			t.Fatalf("VM error: %v", err)
		}
		if want := hostMatch(frame, host.As4()); (n > 0) != want {
			t.Fatalf("filter kept=%v (n=%d), reference %v on % x", n > 0, n, want, frame)
		}
		if n != 0 && n != 4096 {
			t.Fatalf("filter returned %d, want 0 or the snaplen", n)
		}
	})
}
