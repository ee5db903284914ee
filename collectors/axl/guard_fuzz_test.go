package axl

import (
	"errors"
	"regexp"
	"testing"

	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/collectors/sshx"
)

// FuzzAllowed: the guard never panics, refuses with sshx.ErrRefused, and
// whatever it allows names a reading operation in its SOAPAction.
func FuzzAllowed(f *testing.F) {
	for _, r := range []request{queryRequest("14.0", cucm.SQLPhones), queryRequest("12.5", cucm.SQLProcessConfig), versionRequest("14.0")} {
		f.Add(r.action, r.body)
	}
	f.Add(`"CUCM:DB ver=14.0 removePhone"`, []byte(envOpen+`<ns:removePhone><name>x</name></ns:removePhone>`+envClose))
	f.Add(`"CUCM:DB ver=14.0 executeSQLQuery"`, []byte(envOpen+`<ns:executeSQLQuery><sql>select 1 from x&#59;delete from x</sql></ns:executeSQLQuery>`+envClose))
	readAction := regexp.MustCompile(`^"?CUCM:DB ver=[0-9]+\.[0-9]+ (executeSQLQuery|get[A-Z][A-Za-z0-9]*|list[A-Z][A-Za-z0-9]*)"?$`)
	f.Fuzz(func(t *testing.T, action string, body []byte) {
		err := Allowed("POST", AXLPath, "", action, body)
		if err != nil {
			if !errors.Is(err, sshx.ErrRefused) {
				t.Fatalf("error %v is not a refusal", err)
			}
			return
		}
		if !readAction.MatchString(action) {
			t.Fatalf("allowed SOAPAction %q", action)
		}
	})
}
