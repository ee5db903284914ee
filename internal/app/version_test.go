package app

import (
	"runtime/debug"
	"strings"
	"testing"
)

func buildInfo(version string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/kaudit/kaudit", Version: version}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

const rev = "5af20be1c0de34a1b2c3d4e5f60718293a4b5c6d"

// TestVersionOf: a stamped release wins, then the module version the go
// command recorded, then the VCS revision, then "dev".
func TestVersionOf(t *testing.T) {
	for _, tt := range []struct {
		name, stamped string
		bi            *debug.BuildInfo
		want          string
	}{
		{"stamped release", "v1.2.0", buildInfo("v0.9.0", "vcs.revision", rev), "v1.2.0"},
		{"go install @version", "", buildInfo("v1.2.0"), "v1.2.0"},
		{"checkout pseudo-version", "", buildInfo("v0.0.0-20261207052816-5af20be1c0de+dirty", "vcs.revision", rev, "vcs.modified", "true"), "v0.0.0-20261207052816-5af20be1c0de+dirty"},
		{"revision only", "", buildInfo("(devel)", "vcs.revision", rev, "vcs.modified", "false"), "5af20be1c0de"},
		{"revision, modified", "", buildInfo("(devel)", "vcs.revision", rev, "vcs.modified", "true"), "5af20be1c0de+dirty"},
		{"short revision", "", buildInfo("", "vcs.revision", "abc123"), "abc123"},
		{"go test", "", buildInfo("(devel)"), "dev"},
		{"no build info", "", nil, "dev"},
	} {
		if got := versionOf(tt.stamped, tt.bi); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDetailsOf(t *testing.T) {
	got := detailsOf("", buildInfo("(devel)", "vcs.revision", rev, "vcs.time", "2026-12-07T05:28:16Z", "vcs.modified", "true"), "linux/amd64")
	want := "kaudit 5af20be1c0de+dirty\nrevision " + rev + " (2026-12-07T05:28:16Z), with uncommitted changes\ngo1.26.8 linux/amd64\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	got = detailsOf("v1.2.0", nil, "darwin/arm64")
	if !strings.HasPrefix(got, "kaudit v1.2.0\ngo") || !strings.HasSuffix(got, " darwin/arm64\n") || strings.Contains(got, "revision") {
		t.Errorf("without build info:\n%s", got)
	}
}
