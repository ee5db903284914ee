// Package capture analyses packet captures offline (pcap and pcapng, pure
// Go with gopacket) for what makes IP phones drop off their call manager:
// keepalives (SIP REGISTER refreshes, SCCP KeepAlive) that arrive late or
// never, the TCP retransmissions behind them, and ARP answers from a
// firewall instead of the call manager (proxy ARP). It backs
// `kaudit pcap analyze` and confirms or refutes the rules' findings.
//
// # Reading
//
// The format is detected by its magic number: pcap (both byte orders,
// micro- and nanosecond timestamps), pcapng, either gzip-compressed.
// Link types: Ethernet (802.1Q/QinQ tags), Linux cooked v1 and v2, raw
// IP (LINKTYPE_RAW, IPV4, IPV6), BSD loopback. Payload lengths come from
// the IP header, so packets cut by a snaplen are still analysed. Packets
// are streamed and not kept: memory grows with conversations, timelines
// and ARP answers, and with keepalives only as far as they are listed
// (Options.OnlyNotable lists the ones with something to show; a
// timeline's summary takes fixed memory). A TCP flow costs its sequence
// state (about 250 bytes) until it carries SIP or SCCP, and at most
// Options.MaxFlows flows are tracked, plus as many that carry signalling;
// later flows are ignored and FileAnalysis.Notes says how many. A broken file yields the analysis
// of the packets before the problem plus a *ReadError naming the file,
// the packet number and its byte offset.
//
// # TCP retransmissions
//
// Counts follow Wireshark's tcp.analysis.retransmission: the sequence
// analysis of packet-tcp.c (tcp_analyze_sequence_number, Wireshark 4.x) is
// ported, so a segment with data (or SYN/FIN) that does not advance the
// sequence number is a retransmission unless it is a keep-alive probe, a
// zero-window probe or an out-of-order segment (within the handshake RTT,
// or 3 ms, of the highest segment); fast and spurious retransmissions
// count too, as they do in Wireshark's filter. Conversations restart on a
// SYN with a new ISN, as Wireshark's port-reuse detection does. Known
// differences: IP fragments are not reassembled (fragmented TCP is not
// analysed; Wireshark reassembles and analyses it); MPTCP and the
// "analyze TCP sequence numbers" preferences (relative sequence numbers,
// window scaling) play no part; Wireshark 3.x checked out-of-order before
// spurious retransmissions, so a copy of acknowledged data sent within
// the RTT counts there as out of order and here as a (spurious)
// retransmission. Each retransmission carries its RTO: the time since the
// previous copy of the segment, and since the original.
//
// # Keepalives
//
// SIP over UDP and TCP (TCP reassembled per direction, several messages
// per segment, Content-Length respected; copies of data already seen are
// ignored, as Wireshark does) and SCCP on TCP port 2000 (KeepAlive 0x0000,
// KeepAliveAck 0x0100). Each REGISTER or SCCP KeepAlive from a phone is a
// keepalive on the timeline of that phone and call manager. A keepalive
// is measured from the previous refresh the call manager acknowledged;
// delivered after the expected interval plus the grace (15 s for SIP,
// seed case 2) it is lost: the call manager had already unregistered the
// phone. A keepalive is judged once nothing later in the capture can
// change it (its answer, ACK and retransmissions are in), with the
// interval the 200 OKs had given so far; a timeline whose first
// keepalives all went unanswered is judged as a capture without answers
// for those past the first 16.
//
// # Pairs
//
// MatchPair matches the keepalives of a phone-side capture against a
// call-manager-side capture by connection and the (seq, len) of their TCP
// segment; the clock offset is estimated from the first keepalive both
// saw (see MatchPair).
package capture

// The test captures under testdata are written by internal/pcapgen.
//go:generate go run ./internal/gencap -testdata testdata
