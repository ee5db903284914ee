package capture

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"time"
)

// Options tune the analysis. The zero value is usable: every field has a
// default taken from CUCM's and Cisco phones' defaults.
type Options struct {
	// SIPInterval is the expected time between a phone's REGISTER
	// refreshes. Zero learns it from the call manager's 200 OK (Expires
	// minus SIPRegisterDelta) and falls back to 115 s.
	SIPInterval time.Duration
	// SIPRegisterDelta is the phone's Timer Register Delta (default 5 s).
	SIPRegisterDelta time.Duration
	// SCCPInterval is the SCCP station keepalive interval (default 30 s).
	SCCPInterval time.Duration
	// Grace is how long past the expected interval a SIP keepalive may
	// land before CUCM unregisters the phone (default 15 s, seed case 2).
	Grace time.Duration
	// SCCPGrace is the same for SCCP (default 60 s: CUCM tolerates about
	// two missed keepalives; community reports vary).
	SCCPGrace time.Duration
	// LateTolerance is how far past its slot a keepalive may be delivered
	// before it is reported late (default 1 s).
	LateTolerance time.Duration
	// ASAMACs are the MAC addresses of ASA interfaces (any notation): an
	// ARP reply from one of them for somebody else's address is proxy ARP.
	ASAMACs []string
	// CallManagers are call-manager IP addresses to highlight in the ARP
	// section: proxy ARP for one of them is critical.
	CallManagers []string
	// MaxListed bounds the retransmissions listed per file (the counts
	// are always complete). Default 1000; negative lists none.
	MaxListed int
	// OnlyNotable lists in Timeline.Keepalives only the keepalives with
	// something to show (late, lost, unanswered, retransmitted, or after
	// missing ones); the others are counted in the timeline's summary and
	// KeepalivesOmitted. Memory then grows with timelines, not with
	// keepalives. AnalyzePair ignores it: matching needs every keepalive.
	OnlyNotable bool
	// FirstInFull, with OnlyNotable, still lists every keepalive of the
	// timeline that sorts first (the one WriteSVG is given by kaudit
	// pcap analyze --svg).
	FirstInFull bool
	// Phones, when set, limits the timelines (and their verdicts) to
	// these phone addresses; the counts cover every packet.
	Phones []string
	// MaxTimelines bounds the keepalive timelines (phone, call manager,
	// protocol), which cost about 1 KB each: a timeline past it is not
	// followed (its messages are still counted), and the file carries a
	// note saying about how many. Default DefaultMaxTimelines.
	MaxTimelines int
	// MaxFlows bounds the TCP flows analysed, so that memory stays
	// bounded whatever the capture: at most MaxFlows flows that carry
	// signalling (on a SIP or SCCP port, 5060, 5061, 2000 or 2443, or with
	// SIP in their payload) and MaxFlows others, in the order they appear.
	// Later flows are ignored, and the file carries a note saying how many.
	// A tracked flow without signalling costs about 250 bytes. Default
	// DefaultMaxFlows.
	MaxFlows int
}

func (o Options) withDefaults() Options {
	if o.SIPRegisterDelta <= 0 {
		o.SIPRegisterDelta = 5 * time.Second
	}
	if o.SCCPInterval <= 0 {
		o.SCCPInterval = 30 * time.Second
	}
	if o.Grace <= 0 {
		o.Grace = 15 * time.Second
	}
	if o.SCCPGrace <= 0 {
		o.SCCPGrace = 60 * time.Second
	}
	if o.LateTolerance <= 0 {
		o.LateTolerance = time.Second
	}
	if o.MaxListed == 0 {
		o.MaxListed = 1000
	}
	if o.MaxFlows <= 0 {
		o.MaxFlows = DefaultMaxFlows
	}
	if o.MaxTimelines <= 0 {
		o.MaxTimelines = DefaultMaxTimelines
	}
	return o
}

// DefaultSIPInterval is the SIP keepalive interval assumed when neither
// the options nor a 200 OK give one: 120 s expires minus 5 s delta.
const DefaultSIPInterval = 115 * time.Second

// Duration is a time.Duration that marshals to JSON as seconds.
type Duration time.Duration

// MarshalJSON writes the duration in seconds with microsecond precision.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, math.Round(time.Duration(d).Seconds()*1e6)/1e6, 'f', -1, 64), nil
}

// UnmarshalJSON reads seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s float64
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*d = Duration(s * float64(time.Second))
	return nil
}

// String renders the duration in seconds ("0.109 s", "28 s").
func (d Duration) String() string { return fmtSeconds(time.Duration(d)) }

func fmtSeconds(d time.Duration) string {
	s := d.Seconds()
	switch a := math.Abs(s); {
	case a >= 100:
		return strconv.FormatFloat(s, 'f', 1, 64) + " s"
	case a >= 1:
		return trimZeros(strconv.FormatFloat(s, 'f', 3, 64)) + " s"
	default:
		return trimZeros(strconv.FormatFloat(s, 'f', 4, 64)) + " s"
	}
}

func trimZeros(s string) string {
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// Timestamp is a capture time in nanoseconds since the Unix epoch; it
// marshals as RFC 3339 with nanoseconds. Zero means "not seen".
type Timestamp int64

// Time converts to time.Time in UTC.
func (t Timestamp) Time() time.Time { return time.Unix(0, int64(t)).UTC() }

// IsZero says whether the time was never set.
func (t Timestamp) IsZero() bool { return t == 0 }

// MarshalJSON writes RFC 3339 with nanoseconds, or null when unset.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t == 0 {
		return []byte("null"), nil
	}
	return json.Marshal(t.Time().Format(time.RFC3339Nano))
}

// UnmarshalJSON reads RFC 3339 or null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = 0
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*t = Timestamp(v.UnixNano())
	return nil
}

// Sub is t-u as a Duration.
func (t Timestamp) Sub(u Timestamp) time.Duration { return time.Duration(t - u) }

// Analysis is the result of analysing one capture, or a pair of captures
// of the same traffic (phone side first).
type Analysis struct {
	Files    []*FileAnalysis `json:"files"`
	Pair     *Pair           `json:"pair,omitempty"`
	Verdicts []Verdict       `json:"verdicts"`
}

// FileAnalysis is what one capture file shows.
type FileAnalysis struct {
	File     string `json:"file"`
	Format   string `json:"format"`
	LinkType string `json:"link_type"`
	// Error is set when the file could not be read to its end; the rest
	// of the analysis covers the packets before the problem.
	Error string `json:"error,omitempty"`
	// Notes say what the analysis left out (too many flows).
	Notes     []string    `json:"notes,omitempty"`
	First     Timestamp   `json:"first"`
	Last      Timestamp   `json:"last"`
	Counts    Counts      `json:"counts"`
	Timelines []*Timeline `json:"timelines"`
	// Retransmitted lists retransmitted TCP segments with their RTO
	// sequence (at most Options.MaxListed; Counts has the totals).
	Retransmitted []*RetransmittedSegment `json:"retransmitted_segments"`
	// RetransmittedOmitted counts retransmitted segments not listed.
	RetransmittedOmitted int       `json:"retransmitted_segments_omitted,omitempty"`
	ARP                  ARPTable  `json:"arp"`
	Verdicts             []Verdict `json:"verdicts"`

	arpAsked map[netip.Addr]int // requests per target, see ARPRequestsFor
	state    flowState          // what the flow table held, for tests
	openPeak int                // most keepalives held open at once, for tests
}

// Counts are per-file totals. TCP retransmissions follow Wireshark's
// tcp.analysis.retransmission (fast and spurious retransmissions
// included, out-of-order segments not).
type Counts struct {
	Packets     int   `json:"packets"`
	Bytes       int64 `json:"bytes"`
	Undecoded   int   `json:"undecoded"`
	IPFragments int   `json:"ip_fragments"`
	TCPSegments int   `json:"tcp_segments"`
	// TCPFlows are the TCP flows analysed; TCPFlowsIgnored the ones
	// past Options.MaxFlows (estimated, see FileAnalysis.Notes), whose
	// segments count in TCPSegments only.
	TCPFlows                   int            `json:"tcp_flows"`
	TCPFlowsIgnored            int            `json:"tcp_flows_ignored,omitempty"`
	TCPRetransmissions         int            `json:"tcp_retransmissions"`
	TCPFastRetransmissions     int            `json:"tcp_fast_retransmissions"`
	TCPSpuriousRetransmissions int            `json:"tcp_spurious_retransmissions"`
	TCPOutOfOrder              int            `json:"tcp_out_of_order"`
	UDPDatagrams               int            `json:"udp_datagrams"`
	SIPRequests                int            `json:"sip_requests"`
	SIPResponses               int            `json:"sip_responses"`
	SIPRegisters               int            `json:"sip_registers"`
	SIPByMethod                map[string]int `json:"sip_by_method"`
	SIPByStatus                map[string]int `json:"sip_by_status"`
	SCCPMessages               int            `json:"sccp_messages"`
	SCCPKeepalives             int            `json:"sccp_keepalives"`
	SCCPKeepaliveAcks          int            `json:"sccp_keepalive_acks"`
	ARPRequests                int            `json:"arp_requests"`
	ARPReplies                 int            `json:"arp_replies"`
	ARPGratuitous              int            `json:"arp_gratuitous"`
}

// Status of one keepalive.
type Status uint8

// Keepalive statuses.
const (
	StatusOK Status = iota
	// StatusLate: delivered more than LateTolerance after its slot.
	StatusLate
	// StatusLost: delivered after interval + grace: the call manager has
	// already unregistered the phone.
	StatusLost
	// StatusUnanswered: neither a TCP ACK nor a response was seen.
	StatusUnanswered
)

var statusNames = [...]string{"ok", "late", "lost", "unanswered"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", s)
}

// MarshalText renders the status name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a status name.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("unknown keepalive status %q", b)
}

// Timeline is the keepalive history of one phone towards one call manager
// over one protocol.
type Timeline struct {
	Phone       string `json:"phone"`
	CallManager string `json:"call_manager"`
	Protocol    string `json:"protocol"` // SIP/TCP, SIP/UDP or SCCP
	// Role is "primary", or "backup" for SIP keepalives with Expires 0 and
	// cisco-keep-alive.
	Role   string `json:"role"`
	Device string `json:"device,omitempty"`
	// Expected is the interval the keepalives should keep; ExpectedFrom
	// says where it came from.
	Expected     Duration `json:"expected_interval_s"`
	ExpectedFrom string   `json:"expected_from"`
	Grace        Duration `json:"grace_s"`
	// End is the last packet of the capture, for trailing gaps.
	End Timestamp `json:"capture_end"`
	// Keepalives lists every keepalive, or with Options.OnlyNotable the
	// ones with something to show; KeepalivesOmitted counts the others.
	Keepalives        []Keepalive `json:"keepalives"`
	KeepalivesOmitted int         `json:"keepalives_omitted,omitempty"`
	Summary           Summary     `json:"summary"`

	key     tlKey
	learned time.Duration
	pending []int // keepalives awaiting a response, by number - 1
	// open holds the latest keepalives, from number base+1 on: answers
	// and retransmissions may still change them. They are judged, kept
	// or counted, in order once they can no longer change (see settle).
	open     []Keepalive
	base     int
	answered bool // a keepalive of the timeline got an answer
	judge    judgeState
}

// Summary condenses a timeline.
type Summary struct {
	Keepalives     int      `json:"keepalives"`
	Retransmitted  int      `json:"retransmitted"`
	Late           int      `json:"late"`
	Lost           int      `json:"lost"`
	Unanswered     int      `json:"unanswered"`
	Missing        int      `json:"missing"`
	MinInterval    Duration `json:"min_interval_s"`
	MedianInterval Duration `json:"median_interval_s"`
	MaxInterval    Duration `json:"max_interval_s"`
	// TrailingGap is the time from the last refresh to the end of the
	// capture when it exceeds the interval plus grace.
	TrailingGap Duration `json:"trailing_gap_s,omitempty"`
}

// Keepalive is one REGISTER refresh or SCCP KeepAlive.
type Keepalive struct {
	// Sent is the first copy seen; Delivered the last copy (the one that
	// got through when retransmissions were needed).
	Sent      Timestamp `json:"sent"`
	Delivered Timestamp `json:"delivered"`
	// Answered is the first TCP ACK, SIP final response or KeepAliveAck.
	Answered Timestamp `json:"answered"`
	Frame    int       `json:"frame"`
	// Number is the keepalive's place in its timeline, from 1.
	Number int `json:"number"`
	// PhonePort/CMPort identify the connection; Seq and Len the TCP
	// segment that carries the keepalive's first byte.
	PhonePort uint16 `json:"phone_port"`
	CMPort    uint16 `json:"cm_port"`
	Seq       uint32 `json:"seq,omitempty"`
	Len       uint32 `json:"len,omitempty"`
	CSeq      uint32 `json:"cseq,omitempty"`
	// Retransmissions are the later copies with their RTO.
	Retransmissions []Retransmission `json:"retransmissions,omitempty"`
	// Interval is the time from the previous refresh to delivery;
	// Lateness how much of it is past the keepalive's slot.
	Interval Duration `json:"interval_s"`
	Lateness Duration `json:"lateness_s"`
	// MissingBefore counts keepalives that should have come before this
	// one and never appeared.
	MissingBefore int    `json:"missing_before,omitempty"`
	Status        Status `json:"status"`

	ackSeq   uint32 // TCP sequence number that acknowledges the keepalive
	callID   uint64 // hash of the SIP Call-ID, to match responses
	lastCpy  Timestamp
	awaiting bool  // in the timeline's pending list
	refs     uint8 // appConn.kas entries pointing at it
}

// Retransmission is one later copy of a TCP segment.
type Retransmission struct {
	Time  Timestamp `json:"time"`
	Frame int       `json:"frame"`
	// SinceFirst is the time since the original; RTO since the previous
	// copy (the retransmission timeout the sender used).
	SinceFirst Duration `json:"since_first_s"`
	RTO        Duration `json:"rto_s"`
	Kind       string   `json:"kind"` // retransmission, fast, spurious
}

// RetransmittedSegment is a TCP segment sent more than once.
type RetransmittedSegment struct {
	Src   string    `json:"src"`
	Dst   string    `json:"dst"`
	Seq   uint32    `json:"seq"`
	Len   uint32    `json:"len"`
	First Timestamp `json:"first"`
	Frame int       `json:"frame"`
	// Copies are the retransmissions in order.
	Copies []Retransmission `json:"copies"`
}

// ARPTable is what the capture shows about who answers ARP for whom.
type ARPTable struct {
	// Answers lists, per IP, every MAC that answered (reply or
	// gratuitous), sorted by IP.
	Answers []ARPAnswer `json:"answers"`
	// Conflicts are the IPs with more than one MAC.
	Conflicts []string `json:"conflicts"`
}

// ARPAnswer is one IP and the MACs that claimed it.
type ARPAnswer struct {
	IP          string   `json:"ip"`
	CallManager bool     `json:"call_manager,omitempty"`
	MACs        []ARPMAC `json:"macs"`
	Conflict    bool     `json:"conflict,omitempty"`
	// ProxyARP is set when an ASA interface MAC claims an IP that another
	// MAC also claims, or that belongs to a call manager.
	ProxyARP bool `json:"proxy_arp,omitempty"`
}

// ARPMAC is one MAC claiming an IP.
type ARPMAC struct {
	MAC        string    `json:"mac"`
	Replies    int       `json:"replies"`
	Gratuitous int       `json:"gratuitous"`
	First      Timestamp `json:"first"`
	FirstFrame int       `json:"first_frame"`
	Last       Timestamp `json:"last"`
	ASA        bool      `json:"asa,omitempty"`
}

// Pair is the comparison of a phone-side and a call-manager-side capture.
type Pair struct {
	PhoneFile string `json:"phone_file"`
	CMFile    string `json:"cm_file"`
	// ClockOffset is the call-manager capture's clock minus the phone
	// capture's, from the first keepalive segment both saw (so it includes
	// that segment's one-way delay, and delays below are relative to it).
	ClockOffset Duration        `json:"clock_offset_s"`
	OffsetFrom  string          `json:"offset_from,omitempty"`
	Matched     int             `json:"matched"`
	NotReceived int             `json:"not_received"`
	Keepalives  []PairKeepalive `json:"keepalives"`
}

// PairKeepalive is one keepalive seen by the phone-side capture.
type PairKeepalive struct {
	Phone       string    `json:"phone"`
	CallManager string    `json:"call_manager"`
	Protocol    string    `json:"protocol"`
	Sent        Timestamp `json:"sent"`
	Seq         uint32    `json:"seq"`
	Len         uint32    `json:"len"`
	CSeq        uint32    `json:"cseq,omitempty"`
	Copies      int       `json:"copies"`
	Received    bool      `json:"received"`
	// Arrived is the first arrival on the call-manager side, in that
	// capture's clock; Delay is Arrived - Sent - ClockOffset.
	Arrived Timestamp `json:"arrived"`
	Delay   Duration  `json:"delay_s"`
}

// Severity of a verdict (the same names as rules' severities).
type Severity string

// Severities.
const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Verdict is a conclusion with the numbers behind it.
type Verdict struct {
	ID          string    `json:"id"`
	Severity    Severity  `json:"severity"`
	File        string    `json:"file,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	CallManager string    `json:"call_manager,omitempty"`
	Time        Timestamp `json:"time"`
	Message     string    `json:"message"`
	// Numbers are the values the message quotes, in seconds where they
	// are durations.
	Numbers map[string]float64 `json:"numbers,omitempty"`
}
