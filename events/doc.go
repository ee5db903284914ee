// Package events reads the symptom side of an unregistration problem: the
// registration alarms CUCM writes to syslog (EndPointUnregistered and its
// kin), streamed from files a syslog server keeps, and sums them up per
// phone: how often it dropped, when first and last, why (the reason code
// named), the last signal CUCM had from it and the period between drops
// ("every 16 min 5 s", the signature of seed case 2: a keepalive lost
// every interval, TCP retransmitting with a doubling timeout until CUCM's
// grace runs out).
//
// # The alarm
//
// CUCM sends its alarms in the CiscoLog format (Cisco Unified
// Communications Manager Managed Services Guide, chapter "Cisco Unified
// Serviceability Alarms and CiscoLog Messages"; the same format in the
// Unified CCE Serviceability Guide, "The Cisco Log Message Format"):
//
//	<PRI>SEQNUM: HOST: Mmm DD YYYY HH:MM:SS.mmm ZONE: %APPNAME-SEVERITY-MSGID: %[TAG=value]...: TEXT
//
// for example (the seed's note, case 2; Cisco document 200410):
//
//	41679: uc-ucm-01.pcce.local Jul 02 2015 06:22:31 UTC :   %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEPE0D1730A8137][IPAddress=10.60.98.210][Protocol=SIP][DeviceType=592][Description=Phone][Reason=13][IPAddrAttributes=0][LastSignalReceived=SIPStationDPrimaryLineTimeout][AppID=Cisco CallManager][ClusterID=StandAloneCluster][NodeID=uc-ucm-01]: An endpoint has unregistered
//
// The tags of EndPointUnregistered are those of the System Error Messages
// for Cisco Unified Communications Manager 15 (DeviceName, IPAddress,
// IPV6Address, Protocol, DeviceType, Description, Reason,
// IPAddrAttributes, IPV6AddrAttributes, LastSignalReceived, CallState,
// AppID, ClusterID, NodeID). DeviceUnregistered (older releases, and
// devices that are not endpoints) has the same tags, and
// EndPointTransientConnection / DeviceTransientConnection (a connection
// dropped before registration completed) carry DeviceName and Reason too:
// all four are read. EndPointRegistered, when the alarm level lets it
// through (it is informational), says the phone came back.
//
// # Framing
//
// The alarm is found by its "%UC_CALLMANAGER-N-Name:" marker wherever the
// syslog server put it, so every common framing reads: RFC 3164 as sent
// ("<187>41679: host: ..."), as a server stores it ("Jul  2 06:22:31 host
// 41679: host: ..."; rsyslog's traditional and RFC 3339 file formats),
// RFC 5424 ("<187>1 2015-07-02T06:22:31.000Z host ..."), RFC 6587 octet
// counting in front of either, and the column exports of syslog viewers
// (the seed's "31 uc-ucm-01 local7 3 : 41679: ..."). The time is the
// CiscoLog header's, which has the year and CUCM's own clock; without one,
// the RFC 5424 or RFC 3339 time at the start of the line. A line with
// neither has no year and is reported, not guessed.
//
// A zone written as UTC, GMT or a numeric offset is applied; another name
// (CET, EST) is kept as written with the clock time as printed, so that
// the times read as they do in the log and periods are right as long as
// the zone name does not change between two drops.
//
// # Limits
//
// Reading streams line by line: a line longer than MaxLine is reported
// and skipped, an alarm line that does not parse is reported with its
// file and line and the rest is read. Memory grows with phones, not with
// the files: at most Options.MaxDevices devices are tracked (later ones
// are counted), and the period is worked out, to the second, from each
// phone's latest MaxKeptDrops drops (4 KiB a phone); counts, first and
// last are exact. The old RTMT
// export ("CCM|DeviceUnregistered - Device unregistered. Device
// name.:SEP...") and the pre-8.0 "%CCM_CALLMANAGER-CALLMANAGER-3-..." text
// form are not read.
package events
