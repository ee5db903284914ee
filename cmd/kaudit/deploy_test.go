package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/internal/testutil"
)

// TestDockerfile: the image is built in a Go stage with CGO off (a static
// binary) and runs on a static base with no libc; the image itself is
// built by CI, not here.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(src, -1)
	if len(froms) < 2 {
		t.Fatalf("want a build stage and a run stage, got %d FROM lines", len(froms))
	}
	if base := froms[len(froms)-1][1]; base != "scratch" && !strings.HasPrefix(base, "gcr.io/distroless/static") {
		t.Errorf("run stage on %s, want gcr.io/distroless/static or scratch", base)
	}
	if !regexp.MustCompile(`CGO_ENABLED=0 go build [^\n]*(\\\n[^\n]*)*\./cmd/kaudit`).MatchString(src) {
		t.Error("no CGO_ENABLED=0 go build of ./cmd/kaudit")
	}
	if !strings.Contains(src, `ENTRYPOINT ["/usr/local/bin/kaudit"]`) {
		t.Error("the entrypoint is not kaudit")
	}
}

// TestLicense: Apache-2.0, as most tools of the field.
func TestLicense(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Apache License\n                           Version 2.0, January 2004") {
		t.Errorf("LICENSE is not the Apache License 2.0:\n%.200s", data)
	}
}

// TestNoBuildOutputTracked: .gitignore covers the binaries and what the
// README's commands write from the repository root, and no tracked file
// is such output.
func TestNoBuildOutputTracked(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		testutil.MissingTool(t, "git is not installed")
	}
	root := testutil.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("SKIPPING: not a git checkout")
	}
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		out, err := cmd.Output()
		return string(out), err
	}
	for _, p := range []string{
		"kaudit", "kaudit-bench", "dist/kaudit", // go build -o, release archives
		"raw/sw1/show_version.txt",  // --save-raw raw/
		"kaudit.xml", "report.html", // --format junit|html --out
		"kaudit.prom",                // --metrics
		"timeline.svg", "phone.pcap", // pcap analyze --svg, pcap import -o
		"history.db",                         // --store
		"cmd/kaudit/kaudit.test", "cpu.prof", // go test -c, profiles
	} {
		if _, err := git("check-ignore", "--no-index", "-q", p); err != nil {
			t.Errorf(".gitignore does not cover %s", p)
		}
	}
	out, err := git("ls-files", "--cached", "--ignored", "--exclude-standard")
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		t.Errorf("tracked files that .gitignore says are output:\n%s", out)
	}
}
