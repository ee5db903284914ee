package clidump

import (
	"bytes"
	"strings"
)

// detectBytes is how much of a dump Detect looks at.
const detectBytes = 64 << 10

// Detect says which family head (the start of a dump) belongs to, "" when
// neither: the first line that only one family prints decides. ASA lines
// are tried first on each line, since an ASA count line ("1203 packets
// captured") or packet 1000's header ("1000: 20:40:01...") would pass for
// an EPC row start.
func Detect(head []byte) string {
	for _, raw := range bytes.Split(head, []byte("\n")) {
		s := strings.TrimRight(string(raw), " \t\r")
		switch {
		case asaRow.MatchString(s), asaHeader.MatchString(s), asaCount.MatchString(s):
			return FamilyASA
		case epcAddrRow.MatchString(s), epcWordRow.MatchString(s), epcClassic.MatchString(s),
			strings.Contains(s, "Starting the packet display"):
			return FamilyEPC
		}
		if m := epcByteRow.FindStringSubmatch(s); m != nil {
			if _, err := decodeRow(m[2], bytesGroups, rowBytes); err == nil {
				return FamilyEPC
			}
		}
	}
	return ""
}
