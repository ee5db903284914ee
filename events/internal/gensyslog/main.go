// Command gensyslog writes a CUCM syslog file as a syslog server stores
// it: EndPointUnregistered alarms (Reason=13 by default) of some phones at
// a regular period with jitter, between other syslog lines. It makes the
// labs' events files and the large file of the --events measurement.
//
//	go run ./events/internal/gensyslog -phones SEP0C1167A3B2C1=10.147.230.189 -hours 8 -o events/syslog.log
//	go run ./events/internal/gensyslog -phones 2000 -size 1GiB -o /tmp/1g.log
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

type config struct {
	phones  string
	start   string
	hours   float64
	period  time.Duration
	jitter  time.Duration
	reason  int
	node    string
	noise   int
	size    string
	seed    uint64
	framing string
	out     string
}

func main() {
	var c config
	flag.StringVar(&c.phones, "phones", "10", "NAME=IP[=DESCRIPTION],... or a count of generated SEP names")
	flag.StringVar(&c.start, "start", "2026-03-02T08:00:00Z", "time of the first alarm (RFC 3339)")
	flag.Float64Var(&c.hours, "hours", 8, "hours of alarms (ignored with -size: the period repeats until the size is reached)")
	flag.DurationVar(&c.period, "period", 16*time.Minute+5*time.Second, "period between a phone's drops")
	flag.DurationVar(&c.jitter, "jitter", 3*time.Second, "each drop lands up to this much early or late")
	flag.IntVar(&c.reason, "reason", 13, "Reason code of the drops")
	flag.StringVar(&c.node, "node", "cucm-pub", "NodeID (and host) that logs them")
	flag.IntVar(&c.noise, "noise", 1, "other syslog lines after each alarm")
	flag.StringVar(&c.size, "size", "", "write until the file is this big (e.g. 1GiB) instead of -hours")
	flag.Uint64Var(&c.seed, "seed", 1, "random seed (the output is the same for the same flags)")
	flag.StringVar(&c.framing, "framing", "stored", "stored (a server's file: its time and host first), rfc3164 (as sent) or rfc5424")
	flag.StringVar(&c.out, "o", "", "output file (default: standard output)")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "gensyslog:", err)
		os.Exit(1)
	}
}

type phone struct {
	name, ip, desc string
	next           time.Time
}

func run(c config) error {
	start, err := time.Parse(time.RFC3339, c.start)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	phones, err := parsePhones(c.phones)
	if err != nil {
		return err
	}
	limit := int64(-1)
	if c.size != "" {
		if limit, err = parseSize(c.size); err != nil {
			return err
		}
	}
	end := start.Add(time.Duration(c.hours * float64(time.Hour)))
	rng := rand.New(rand.NewPCG(c.seed, c.seed^0x9e3779b97f4a7c15))
	// Phones start spread over the first period.
	for i := range phones {
		phones[i].next = start.Add(time.Duration(rng.Int64N(int64(c.period))))
	}
	w := os.Stdout
	if c.out != "" {
		f, err := os.Create(c.out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var written int64
	seq := 1000
	for {
		// The phone whose drop comes next.
		p := &phones[0]
		for i := range phones {
			if phones[i].next.Before(p.next) {
				p = &phones[i]
			}
		}
		at := p.next
		if limit < 0 && at.After(end) {
			break
		}
		if limit >= 0 && written >= limit {
			break
		}
		seq++
		n, _ := bw.WriteString(c.alarm(seq, at, p))
		written += int64(n)
		for k := range c.noise {
			seq++
			n, _ := bw.WriteString(c.noiseLine(seq, at.Add(time.Duration(k+1)*time.Second), rng))
			written += int64(n)
		}
		j := time.Duration(0)
		if c.jitter > 0 {
			j = time.Duration(rng.Int64N(int64(2*c.jitter))) - c.jitter
		}
		p.next = at.Add(c.period + j)
	}
	return bw.Flush()
}

// header writes the framing in front of the CiscoLog message.
func (c config) header(seq int, at time.Time) string {
	cisco := fmt.Sprintf("%d: %s.example.net: %s UTC: ", seq, c.node, at.UTC().Format("Jan 02 2006 15:04:05.000"))
	switch c.framing {
	case "rfc3164":
		return "<187>" + cisco
	case "rfc5424":
		return fmt.Sprintf("<187>1 %s %s ccm - - - ", at.UTC().Add(time.Second).Format("2006-01-02T15:04:05.000Z"), c.node) + cisco
	}
	return at.UTC().Add(time.Second).Format("Jan _2 15:04:05") + " " + c.node + " " + cisco
}

func (c config) alarm(seq int, at time.Time, p *phone) string {
	// The tags in the order of the seed's example; DeviceType is its 592.
	return c.header(seq, at) + fmt.Sprintf("%%UC_CALLMANAGER-3-EndPointUnregistered: %%[DeviceName=%s][IPAddress=%s][Protocol=SIP][DeviceType=592][Description=%s][Reason=%d][IPAddrAttributes=0][LastSignalReceived=SIPStationDPrimaryLineTimeout][AppID=Cisco CallManager][ClusterID=StandAloneCluster][NodeID=%s]: An endpoint has unregistered\n",
		p.name, p.ip, p.desc, c.reason, c.node)
}

// noiseLine is another line of a CUCM syslog: a CLI login, an alarm
// kaudit does not read, a service message.
func (c config) noiseLine(seq int, at time.Time, rng *rand.Rand) string {
	switch rng.IntN(3) {
	case 0:
		return c.header(seq, at) + "%UC_RTMT-2-RTMT_ALERT: %[AlertName=LowAvailableVirtualMemory][AlertDetail= Available virtual memory below 30% ][AppID=Cisco AMC Service][ClusterID=StandAloneCluster][NodeID=" + c.node + "]: RTMT Alert\n"
	case 1:
		return c.header(seq, at) + "%UC_CALLMANAGER-4-DeviceTransientConnection: %[ConnectingPort=2000][DeviceName=][IPAddress=10.20.30.40][DeviceType=255][Reason=6][AppID=Cisco CallManager][ClusterID=StandAloneCluster][NodeID=" + c.node + "]: Transient connection attempted\n"
	}
	return at.UTC().Format("Jan _2 15:04:05") + " " + c.node + " sshd[" + strconv.Itoa(1000+rng.IntN(9000)) + "]: pam_unix(sshd:session): session opened for user admin\n"
}

func parsePhones(s string) ([]phone, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return nil, fmt.Errorf("-phones %d: want at least one", n)
		}
		out := make([]phone, n)
		for i := range out {
			out[i] = phone{name: fmt.Sprintf("SEP%012X", 0x0C1167000000+i), ip: fmt.Sprintf("10.%d.%d.%d", 100+i>>16, i>>8&255, i&255)}
		}
		return out, nil
	}
	var out []phone
	for _, kv := range strings.Split(s, ",") {
		f := strings.SplitN(kv, "=", 3)
		if len(f) < 2 || f[0] == "" {
			return nil, fmt.Errorf("-phones: %q is not NAME=IP[=DESCRIPTION]", kv)
		}
		p := phone{name: f[0], ip: f[1], desc: "Phone"}
		if len(f) == 3 {
			p.desc = f[2]
		}
		out = append(out, p)
	}
	return out, nil
}

func parseSize(v string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(v, suffix) {
			v, mult = strings.TrimSuffix(v, suffix), m
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("-size %q: want a size such as 1GiB", v)
	}
	return n * mult, nil
}
