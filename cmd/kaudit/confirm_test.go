package main

import (
	"strings"
	"testing"
)

func TestConfirmUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"confirm"}, "needs -i"},
		{[]string{"confirm", "-i", "x.yaml"}, "--finding"},
		{[]string{"confirm", "-i", "x.yaml", "--phone", "SEP001122334455", "--packets", "-1"}, "negative"},
		{[]string{"confirm", "-i", "x.yaml", "--phone", "SEP001122334455", "--at", "asa"}, "only cucm"},
	} {
		code, _, stderr := kaudit(t, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
