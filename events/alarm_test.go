package events

import (
	"strings"
	"testing"
	"time"
)

// seedTags is the tag list of the seed's example alarm (Cisco document
// 200410, case 2).
const seedTags = "%[DeviceName=SEPE0D1730A8137][IPAddress=10.60.98.210][Protocol=SIP][DeviceType=592][Description=Phone][Reason=13][IPAddrAttributes=0][LastSignalReceived=SIPStationDPrimaryLineTimeout][AppID=Cisco CallManager][ClusterID=StandAloneCluster][NodeID=uc-ucm-01]: An endpoint has unregistered"

const seedAlarm = "%UC_CALLMANAGER-3-EndPointUnregistered: " + seedTags

func TestParseLineFramings(t *testing.T) {
	want := time.Date(2015, 7, 2, 6, 22, 31, 0, time.UTC)
	ms := want.Add(123 * time.Millisecond)
	for _, tc := range []struct {
		name, line string
		at         time.Time
	}{
		// The seed's line: a syslog viewer's columns (number, host,
		// facility, level) in front of the CiscoLog message.
		{"seed viewer export", "31 uc-ucm-01 local7 3 : 41679: uc-ucm-01.pcce.local Jul 02 2015 06:22:31 UTC :   " + seedAlarm, want},
		// CiscoLog as sent over RFC 3164 (Managed Services Guide).
		{"rfc3164 wire", "<187>41679: uc-ucm-01.pcce.local: Jul 02 2015 06:22:31.123 UTC: " + seedAlarm, ms},
		// As a syslog server stores it: its own time (no year) and host
		// in front (the guide's Solaris example; rsyslog's traditional
		// file format).
		{"rfc3164 stored", "Jul  2 06:22:35 uc-ucm-01 41679: uc-ucm-01.pcce.local: Jul 02 2015 06:22:31.123 UTC: " + seedAlarm, ms},
		{"numeric zone", "<187>25: host: Jul 02 2015 08:22:31.123 +0200: " + seedAlarm, ms},
		{"rsyslog rfc3339 file format", "2015-07-02T06:22:35.000+00:00 uc-ucm-01 41679: uc-ucm-01.pcce.local: Jul 02 2015 06:22:31.123 UTC: " + seedAlarm, ms},
		// RFC 5424 whose message is the CiscoLog text.
		{"rfc5424", "<187>1 2015-07-02T06:22:35Z uc-ucm-01 - - - - 41679: uc-ucm-01.pcce.local: Jul 02 2015 06:22:31.123 UTC: " + seedAlarm, ms},
		// RFC 5424 with the CiscoLog header stripped: the header's time.
		{"rfc5424 bare", "<187>1 2015-07-02T06:22:31.123Z uc-ucm-01 ccm - - - " + seedAlarm, ms},
		{"octet counted rfc5424", "312 <187>1 2015-07-02T06:22:31.123Z uc-ucm-01 ccm - - - " + seedAlarm, ms},
		{"crlf", "<187>41679: uc-ucm-01: Jul 02 2015 06:22:31 UTC: " + seedAlarm + "\r", want},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, ok, err := ParseLine([]byte(tc.line))
			if err != nil || !ok {
				t.Fatalf("ParseLine: ok %v, %v", ok, err)
			}
			if !a.Time.Equal(tc.at) {
				t.Errorf("time %v, want %v", a.Time, tc.at)
			}
			if a.Device != "SEPE0D1730A8137" || a.IP != "10.60.98.210" || a.Protocol != "SIP" || a.DeviceType != "592" ||
				a.Reason != 13 || a.LastSignal != "SIPStationDPrimaryLineTimeout" || a.Node != "uc-ucm-01" ||
				a.Kind != Unregistered || a.Name != "EndPointUnregistered" || a.Description != "Phone" {
				t.Errorf("alarm %+v", a)
			}
		})
	}
}

func TestParseLineZoneName(t *testing.T) {
	a, ok, err := ParseLine([]byte("<187>7: ucm: Jul 02 2015 06:22:31.000 CET: " + seedAlarm))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got := a.Time.Format("2006-01-02 15:04:05 MST"); got != "2015-07-02 06:22:31 CET" {
		t.Errorf("time %s: the clock time and zone name as printed", got)
	}
}

func TestParseLineOthersSkipped(t *testing.T) {
	for _, line := range []string{
		"",
		"Jul  2 06:22:35 uc-ucm-01 sshd[1234]: Accepted password for admin",
		"<187>41680: uc-ucm-01: Jul 02 2015 06:22:31 UTC: %UC_CALLMANAGER-4-MaliciousCall: %[CalledPartyNumber=1000]: x",
		"<187>41680: uc-ucm-01: Jul 02 2015 06:22:31 UTC: %UC_RTMT-2-RTMT_ALERT: %[AlertName=CallProcessingNodeCpuPegging]: x",
		"%UC_CALLMANAGER-",
		"%UC_CALLMANAGER-x-EndPointUnregistered: %[DeviceName=SEP1]",
		// A transient connection CUCM could not name (a puck.nether.net
		// cisco-voip post, 2005: "Device name (Optional):" empty).
		"<187>9: u: Jul 02 2015 06:22:31 UTC: %UC_CALLMANAGER-4-DeviceTransientConnection: %[ConnectingPort=2000][DeviceName=][IPAddress=192.168.88.52][DeviceType=255][Reason=6][AppID=Cisco CallManager]: Transient connection attempted",
	} {
		if a, ok, err := ParseLine([]byte(line)); ok || err != nil {
			t.Errorf("%q: ok %v %+v, %v; want skipped", line, ok, a, err)
		}
	}
}

func TestParseLineMalformed(t *testing.T) {
	const head = "<187>41679: uc-ucm-01: Jul 02 2015 06:22:31 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: "
	for _, tc := range []struct{ line, want string }{
		{head + "An endpoint has unregistered", "without its %[TAG=value] list"},
		{head + "%[DeviceName=SEP0C1167A3B2C1][IPAddress=10.1.1.1][Rea", "no closing ]"},
		{head + "%[IPAddress=10.1.1.1][Reason=13]: x", "without a DeviceName"},
		{head + "%[DeviceName=SEP0C1167A3B2C1][Reason=thirteen]: x", `Reason="thirteen" is not a reason code`},
		{"Jul  2 06:22:35 uc-ucm-01 %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP0C1167A3B2C1][Reason=13]: x", "no time with a year"},
		{head + "%[DeviceName=SEP1][=x]: y", `DeviceName="SEP1][=x" is not a device name`},
		{head + "%[Device Name=SEP1]: y", "has no KEY="},
	} {
		_, ok, err := ParseLine([]byte(tc.line))
		if ok || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: ok %v, err %v; want an error with %q", tc.line, ok, err, tc.want)
		}
	}
}

func TestParseLineTagValues(t *testing.T) {
	line := "<187>1: u: Jan 05 2026 10:00:00 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP001122334455][Description=Lobby [old] phone][Reason=][LastSignalReceived=a\\]b][NodeID=cucm-pub]: An endpoint has unregistered"
	a, ok, err := ParseLine([]byte(line))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if a.Description != "Lobby [old] phone" || a.Reason != NoReason || a.LastSignal != "a]b" || a.Node != "cucm-pub" {
		t.Errorf("%+v", a)
	}
	for _, k := range []struct {
		name string
		kind Kind
	}{{"EndPointTransientConnection", Transient}, {"DeviceTransientConnection", Transient}, {"EndPointRegistered", Registered}, {"DeviceUnregistered", Unregistered}} {
		l := strings.Replace(line, "EndPointUnregistered", k.name, 1)
		if a, ok, err := ParseLine([]byte(l)); !ok || err != nil || a.Kind != k.kind {
			t.Errorf("%s: %v %v %+v", k.name, ok, err, a)
		}
	}
}

func TestReasonName(t *testing.T) {
	for code, want := range map[int]string{13: "KeepAliveTimeout", 8: "DeviceInitiatedReset", 99: "Reason=99", NoReason: "no reason"} {
		if got := ReasonName(code); got != want {
			t.Errorf("ReasonName(%d) = %q, want %q", code, got, want)
		}
	}
}
