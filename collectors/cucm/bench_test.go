package cucm

import (
	"fmt"
	"strings"
	"testing"
)

// phonesTable is a sql_phones output of n phones, as a large cluster
// prints it.
func phonesTable(n int) []byte {
	var b strings.Builder
	b.WriteString("admin:" + CLIPhones + "\r\n")
	b.WriteString("name            description                      model      protocol sipprofile               \r\n")
	b.WriteString("=============== ================================ ========== ======== =========================\r\n")
	models := []string{"Cisco 8845", "Cisco 7942", "Cisco 8865", "Cisco 7965"}
	for i := range n {
		proto, prof := "SIP", "Standard SIP Profile"
		if i%4 == 1 || i%4 == 3 {
			proto, prof = "SCCP", "NULL"
		}
		fmt.Fprintf(&b, "SEP%012X %-32s %-10s %-8s %-25s\r\n", 0x0024142D0000+i, fmt.Sprintf("Auto %d Floor %d", 1000+i, i%12), models[i%4], proto, prof)
	}
	b.WriteString("admin:")
	return []byte(b.String())
}

func TestPhonesTable(t *testing.T) {
	tab, err := ParseTable(KeyPhones, phonesTable(100))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 100 || tab.Rows[99].Values[1] != "Auto 1099 Floor 3" || tab.Rows[99].Values[4] != "NULL" {
		t.Fatalf("%d rows, last %q", len(tab.Rows), tab.Rows[len(tab.Rows)-1].Values)
	}
}

// BenchmarkParseTable: go test -run ^$ -bench ParseTable -cpu 1 ./collectors/cucm
func BenchmarkParseTable(b *testing.B) {
	data := phonesTable(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		tab, err := ParseTable(KeyPhones, data)
		if err != nil || len(tab.Rows) != 20000 {
			b.Fatal(err)
		}
	}
}
