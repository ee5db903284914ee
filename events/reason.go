package events

import "strconv"

// KeepAliveTimeout is the reason code CUCM gives when a keepalive did not
// arrive in time: the one a timer on the path causes.
const KeepAliveTimeout = 13

// reasonNames are the names of the unregistration reason codes
// (EndPointUnregistered, DeviceUnregistered).
//
// Sources: 1, 6, 8-13 and 16-18 from Cisco's alarm catalogues (Cisco
// Unified Communications Manager Managed Services Guide 8.0(1),
// "Enum Definitions - Reason Code" of EndPointUnregistered and
// DeviceUnregistered; 12 and 13 also from the System Error Messages for
// Cisco Unified Communications Manager 15, and 12 from Cisco document
// 108548 "Device Unregistered Reason Code 12"). 2-5 and 7 from the
// alarm's enum as quoted on debuggingvoip.blogspot.com ("IP phone reset
// problem", 2011); Cisco's catalogues list them for the registration
// failure alarms, not for unregistrations. 14 and 15 are
// ConfigurationMismatch and CallManagerRestart in some order: both are
// named by the catalogue's explanation, but no source at hand gives their
// numbers, so both codes say so.
var reasonNames = map[int]string{
	1:  "Unknown",
	2:  "NoEntryInDatabase",
	3:  "DatabaseConfigurationError",
	4:  "DeviceNameUnresolveable",
	5:  "MaxDevRegExceeded",
	6:  "ConnectivityError",
	7:  "InitializationError",
	8:  "DeviceInitiatedReset",
	9:  "CallManagerReset",
	10: "DeviceUnregistered",
	11: "MalformedRegisterMsg",
	12: "SCCPDeviceThrottling",
	13: "KeepAliveTimeout",
	14: "ConfigurationMismatch or CallManagerRestart (order unconfirmed)",
	15: "ConfigurationMismatch or CallManagerRestart (order unconfirmed)",
	16: "DuplicateRegistration",
	17: "CallManagerApplyConfig",
	18: "DeviceNoResponse",
}

// ReasonName names an unregistration reason code: "KeepAliveTimeout" for
// 13, "Reason=N" for a code without a known name, "no reason" for a
// missing one (NoReason).
func ReasonName(code int) string {
	if code == NoReason {
		return "no reason"
	}
	if n, ok := reasonNames[code]; ok {
		return n
	}
	return "Reason=" + strconv.Itoa(code)
}

// NoReason is Alarm.Reason when the alarm had no Reason tag.
const NoReason = -1
