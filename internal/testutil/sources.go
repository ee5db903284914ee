package testutil

import (
	"encoding/json"
	"testing"
)

// FactsJSON is the indented JSON of v with the named fields (of "key",
// "line", "text", ...) removed from every source in it (an object with a
// "key"), so that facts read from different outputs (a CLI table and AXL
// rows, a lab file and a live session's echo-less output) compare equal.
func FactsJSON(t testing.TB, v any, drop ...string) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	var strip func(v any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, isSource := v["key"]; isSource {
				for _, f := range drop {
					delete(v, f)
				}
			}
			for _, e := range v {
				strip(e)
			}
		case []any:
			for _, e := range v {
				strip(e)
			}
		}
	}
	strip(x)
	b, err = json.MarshalIndent(x, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
