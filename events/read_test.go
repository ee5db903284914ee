package events

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// alarmLine writes an EndPointUnregistered as CUCM sends it over RFC 3164.
func alarmLine(seq int, at time.Time, device string, reason int, node string) string {
	return fmt.Sprintf("<187>%d: %s.example.net: %s UTC: %%UC_CALLMANAGER-3-EndPointUnregistered: %%[DeviceName=%s][IPAddress=10.147.230.189][Protocol=SIP][DeviceType=592][Description=A. Huber 3101][Reason=%d][IPAddrAttributes=0][LastSignalReceived=SIPStationDPrimaryLineTimeout][AppID=Cisco CallManager][ClusterID=StandAloneCluster][NodeID=%s]: An endpoint has unregistered\n",
		seq, node, at.UTC().Format("Jan 02 2006 15:04:05.000"), device, reason, node)
}

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSeedSignature: a phone that drops every 16 min 5 s (give or take a
// few seconds) with KeepAliveTimeout, and falls back from the backup two
// minutes after each drop (Reason=10 on the backup), is "every 16 min 5 s".
func TestSeedSignature(t *testing.T) {
	var b strings.Builder
	at := t0
	for i := range 12 {
		b.WriteString(alarmLine(i, at, "SEP0C1167A3B2C1", 13, "cucm-pub"))
		b.WriteString("Mar  2 08:00:01 cucm-pub sshd[42]: session opened for user admin\n")
		b.WriteString(alarmLine(i, at.Add(2*time.Minute), "SEP0C1167A3B2C1", 10, "cucm-sub"))
		at = at.Add(16*time.Minute + 5*time.Second + time.Duration(i%3-1)*2*time.Second)
	}
	dir := t.TempDir()
	h, err := Read(context.Background(), []string{writeFile(t, dir, "syslog", b.String())}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := h.Phone("SEP0C1167A3B2C1")
	if !ok {
		t.Fatal("phone not read")
	}
	if p.Drops != 24 || p.KeepAliveTimeouts != 12 || p.First != t0 || p.LastSignal != "SIPStationDPrimaryLineTimeout" {
		t.Errorf("drops %d, keepalive %d, first %v, last signal %q", p.Drops, p.KeepAliveTimeouts, p.First, p.LastSignal)
	}
	if got := p.Period.String(); got != "every 16 min 5 s" || p.Period.Reason != 13 || p.Period.Gaps != 11 {
		t.Errorf("period %q (reason %d, %d gaps), want every 16 min 5 s of KeepAliveTimeout", got, p.Period.Reason, p.Period.Gaps)
	}
	if len(p.Reasons) != 2 || p.Reasons[0].Name() != "KeepAliveTimeout" {
		t.Errorf("reasons %+v", p.Reasons)
	}
	if strings.Join(p.Nodes, ",") != "cucm-pub,cucm-sub" {
		t.Errorf("nodes %v", p.Nodes)
	}
	if h.Stats.Lines != 36 || h.Stats.Alarms != 24 || h.Stats.Malformed != 0 {
		t.Errorf("stats %+v", h.Stats)
	}
}

// TestOutOfOrderFiles: rotated files read newest first still give the
// period, and the same file reached twice is read once.
func TestOutOfOrderFiles(t *testing.T) {
	dir := t.TempDir()
	var older, newer strings.Builder
	for i := range 10 {
		at := t0.Add(time.Duration(i) * time.Hour)
		if i < 5 {
			older.WriteString(alarmLine(i, at, "SEP6C410E2A3B4C", 13, "cucm-pub"))
		} else {
			newer.WriteString(alarmLine(i, at, "SEP6C410E2A3B4C", 13, "cucm-pub"))
		}
	}
	a := writeFile(t, dir, "logs/a-newer.log", newer.String())
	writeFile(t, dir, "logs/b-older.log", older.String())
	writeFile(t, dir, "logs/.hidden", alarmLine(0, t0, "SEP000000000001", 13, "x"))
	h, err := Read(context.Background(), []string{filepath.Join(dir, "logs"), a}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := h.Phone("SEP6C410E2A3B4C")
	if p.Drops != 10 || p.Period.String() != "every 1 h" || h.Devices() != 1 || len(h.Stats.Files) != 2 {
		t.Errorf("drops %d, period %q, devices %d, files %v", p.Drops, p.Period, h.Devices(), h.Stats.Files)
	}
	// The same lines again under another name are duplicates.
	b := writeFile(t, dir, "copy.log", newer.String())
	h, _ = Read(context.Background(), []string{filepath.Join(dir, "logs"), b}, Options{})
	if p, _ := h.Phone("SEP6C410E2A3B4C"); p.Drops != 10 || h.Stats.Duplicates != 5 {
		t.Errorf("copy: drops %d, duplicates %d", p.Drops, h.Stats.Duplicates)
	}
}

// TestMalformedLinesNamed: every bad line is named with its file and line
// and the rest of the file is read.
func TestMalformedLinesNamed(t *testing.T) {
	good := alarmLine(1, t0, "SEPB8BEBF41D7A0", 13, "cucm-pub")
	lines := []string{
		good,
		"<187>2: cucm-pub: Mar 02 2026 08:16:05 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEPB8BEBF41D7A0][IPAddress=10.1\n",
		"%UC_CALLMANAGER-3-EndPointUnregistered: " + strings.Repeat("x", MaxLine+10) + "\n",
		"<187>3: cucm-pub: Mar 02 2026 08:32:10 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEPB8BEBF41D7A0][Reason=1x]: An endpoint has unregistered\n",
		alarmLine(4, t0.Add(time.Hour), "SEPB8BEBF41D7A0", 13, "cucm-pub"),
	}
	dir := t.TempDir()
	path := writeFile(t, dir, "bad.log", strings.Join(lines, ""))
	h, err := Read(context.Background(), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range h.Stats.Problems {
		got = append(got, p.String())
	}
	want := []string{path + ":2: EndPointUnregistered: tag IPAddress: no closing ]", path + ":3: line longer than 64 KiB", path + `:4: EndPointUnregistered: Reason="1x"`}
	if len(got) != len(want) || h.Stats.Malformed != 3 {
		t.Fatalf("problems %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %q, want %q...", i, got[i], want[i])
		}
	}
	if p, _ := h.Phone("SEPB8BEBF41D7A0"); p.Drops != 2 || h.Stats.Lines != 5 {
		t.Errorf("drops %d lines %d: the good lines around the bad ones are read", p.Drops, h.Stats.Lines)
	}
}

func TestGzipAndBinary(t *testing.T) {
	dir := t.TempDir()
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	for i := range 3 {
		zw.Write([]byte(alarmLine(i, t0.Add(time.Duration(i)*time.Minute), "SEP00EBD5C3A411", 13, "cucm-pub")))
	}
	zw.Close()
	gz := writeFile(t, dir, "syslog.1.gz", z.String())
	h, err := Read(context.Background(), []string{gz}, Options{})
	if p, _ := h.Phone("SEP00EBD5C3A411"); err != nil || p.Drops != 3 {
		t.Fatalf("gzip: %v, %+v", err, p)
	}
	bin := writeFile(t, dir, "core", "\x7fELF\x02\x01\x01\x00\x00")
	if _, err := Read(context.Background(), []string{bin}, Options{}); err == nil || !strings.Contains(err.Error(), bin+": binary data at byte 7") {
		t.Errorf("binary: %v", err)
	}
	if _, err := Read(context.Background(), []string{filepath.Join(dir, "nope")}, Options{}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing: %v", err)
	}
	// A truncated gzip keeps what was read before the cut.
	cut := writeFile(t, dir, "cut.gz", z.String()[:z.Len()-12])
	h, err = Read(context.Background(), []string{cut}, Options{})
	if err != nil || h.Stats.Malformed != 1 || !strings.Contains(h.Stats.Problems[0].String(), "cut.gz:") {
		t.Errorf("truncated gzip: %v %+v", err, h.Stats)
	}
}

// TestBounded: devices past MaxDevices are counted, not kept; a phone's
// drops past MaxKeptDrops still count.
func TestBounded(t *testing.T) {
	h := NewHistory(2)
	for i, dev := range []string{"SEP000000000001", "SEP000000000002", "SEP000000000003"} {
		h.Add(Alarm{Kind: Unregistered, Device: dev, Time: t0.Add(time.Duration(i) * time.Second), Reason: 13})
	}
	if h.Devices() != 2 || h.Stats.Untracked != 1 {
		t.Errorf("devices %d untracked %d", h.Devices(), h.Stats.Untracked)
	}
	h = NewHistory(0)
	n := MaxKeptDrops + 100
	// Newest first, the worst order for the kept window.
	for i := n - 1; i >= 0; i-- {
		h.Add(Alarm{Kind: Unregistered, Device: "SEP0C1167A3D5F7", Time: t0.Add(time.Duration(i) * 965 * time.Second), Reason: 13})
	}
	p, _ := h.Phone("SEP0C1167A3D5F7")
	if p.Drops != n || len(h.devices["SEP0C1167A3D5F7"].kept) != MaxKeptDrops || p.Period.String() != "every 16 min 5 s" || !p.First.Equal(t0) {
		t.Errorf("drops %d kept %d period %q first %v", p.Drops, len(h.devices["SEP0C1167A3D5F7"].kept), p.Period, p.First)
	}
}

func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		965 * time.Second: "16 min 5 s", time.Hour: "1 h", 2*time.Hour + 3*time.Minute + 30*time.Second: "2 h 3 min",
		45 * time.Second: "45 s", 28 * time.Hour: "1 d 4 h", 0: "0 s", 16 * time.Minute: "16 min",
	} {
		if got := Human(d); got != want {
			t.Errorf("Human(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRegisteredAgain(t *testing.T) {
	h := NewHistory(0)
	h.Add(Alarm{Kind: Unregistered, Device: "SEP1", Time: t0, Reason: 13})
	h.Add(Alarm{Kind: Registered, Device: "SEP1", Time: t0.Add(40 * time.Second)})
	h.Add(Alarm{Kind: Transient, Device: "SEP1", Time: t0.Add(20 * time.Second), Reason: 6})
	p, _ := h.Phone("SEP1")
	if !p.RegisteredAgain() || p.Transient != 1 || p.Drops != 1 {
		t.Errorf("%+v", p)
	}
}

// A phone whose alarms carry no Reason still gets its period.
func TestPeriodWithoutReason(t *testing.T) {
	h := NewHistory(0)
	for i := range 4 {
		h.Add(Alarm{Kind: Unregistered, Device: "SEP1", Time: t0.Add(time.Duration(i) * time.Hour), Reason: NoReason})
	}
	if p, _ := h.Phone("SEP1"); p.Period.String() != "every 1 h" || p.Reasons[0].Name() != "no reason" {
		t.Errorf("%+v", p)
	}
}

// BenchmarkReadFrom reads a syslog of 2,000 phones' drops between other
// lines, as gensyslog writes it (go test -bench ReadFrom -benchmem ./events/).
func BenchmarkReadFrom(b *testing.B) {
	var buf bytes.Buffer
	at := t0
	for i := 0; buf.Len() < 16<<20; i++ {
		buf.WriteString(alarmLine(i, at, fmt.Sprintf("SEP%012X", i%2000), 13, "cucm-pub"))
		buf.WriteString("Mar  2 08:00:01 cucm-pub sshd[42]: pam_unix(sshd:session): session opened for user admin\n")
		at = at.Add(500 * time.Millisecond)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		h := NewHistory(0)
		if err := h.ReadFrom(context.Background(), "bench.log", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
