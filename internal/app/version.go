package app

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is the release version, stamped into a release build:
//
//	go build -ldflags "-X github.com/kaudit/kaudit/internal/app.Version=v1.2.0" ./cmd/kaudit
//
// Left empty, BuildVersion takes what the go command recorded instead.
var Version = ""

// BuildVersion is the version kaudit reports (--version, kaudit version,
// every report and the run history), so that a report can be traced to
// the code that wrote it even when nobody stamped a release:
//   - the stamped release Version;
//   - else the main module's version from the build info: v1.2.0 after
//     go install …/cmd/kaudit@v1.2.0, and since Go 1.24 a pseudo-version
//     (v0.0.0-20260102150405-0123456789ab, +dirty with uncommitted
//     changes) for a build in a git checkout;
//   - else the VCS revision the build recorded (12 hex digits, +dirty);
//   - else "dev" (go run, go test, a build without VCS information).
func BuildVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(Version, bi)
}

// BuildDetails describes the build for `kaudit version`: the version, the
// VCS revision and its time when recorded, and the Go toolchain and
// platform.
func BuildDetails() string {
	bi, _ := debug.ReadBuildInfo()
	return detailsOf(Version, bi, runtime.GOOS+"/"+runtime.GOARCH)
}

// develVersion is what the go command records as the main module's
// version when it has none (a build of a plain directory, go test).
const develVersion = "(devel)"

func versionOf(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != develVersion {
		return v
	}
	vcs := vcsOf(bi)
	if vcs.revision == "" {
		return "dev"
	}
	v := vcs.revision
	if len(v) > 12 {
		v = v[:12]
	}
	if vcs.modified {
		v += "+dirty"
	}
	return v
}

func detailsOf(stamped string, bi *debug.BuildInfo, platform string) string {
	var b strings.Builder
	b.WriteString("kaudit " + versionOf(stamped, bi) + "\n")
	goVersion := runtime.Version()
	if bi != nil {
		if vcs := vcsOf(bi); vcs.revision != "" {
			b.WriteString("revision " + vcs.revision)
			if vcs.time != "" {
				b.WriteString(" (" + vcs.time + ")")
			}
			if vcs.modified {
				b.WriteString(", with uncommitted changes")
			}
			b.WriteString("\n")
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
	}
	b.WriteString(goVersion + " " + platform + "\n")
	return b.String()
}

type vcsInfo struct {
	revision, time string
	modified       bool
}

func vcsOf(bi *debug.BuildInfo) vcsInfo {
	var v vcsInfo
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.revision = s.Value
		case "vcs.time":
			v.time = s.Value
		case "vcs.modified":
			v.modified = s.Value == "true"
		}
	}
	return v
}
