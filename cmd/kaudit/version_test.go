package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/internal/testutil"
)

// TestVersionCommand: `kaudit version` and `kaudit --version` print the
// same version, the one the build info gives.
func TestVersionCommand(t *testing.T) {
	code, out, errOut := kaudit(t, "", "version")
	if code != 0 {
		t.Fatalf("kaudit version: exit %d: %s", code, errOut)
	}
	first := "kaudit " + app.BuildVersion() + "\n"
	if !strings.HasPrefix(out, first) || !strings.Contains(out, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH) {
		t.Errorf("kaudit version:\n%s\nwant it to start with %q and name the toolchain", out, first)
	}
	code, out, _ = kaudit(t, "", "--version")
	if code != 0 || out != first {
		t.Errorf("kaudit --version: exit %d, %q, want %q", code, out, first)
	}
}

// TestVersionOfBuiltBinary builds kaudit as a user would and checks that
// an unstamped build reports the git revision it was built from, and a
// stamped one its release version.
func TestVersionOfBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kaudit twice")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	dir := t.TempDir()
	build := func(args ...string) string {
		t.Helper()
		bin := filepath.Join(dir, "kaudit")
		cmd := exec.Command(goTool, append(append([]string{"build", "-o", bin}, args...), ".")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatalf("kaudit version: %v", err)
		}
		short, err := exec.Command(bin, "--version").Output()
		if err != nil {
			t.Fatalf("kaudit --version: %v", err)
		}
		if first, _, _ := strings.Cut(string(out), "\n"); first+"\n" != string(short) {
			t.Errorf("kaudit --version %q is not the first line of kaudit version %q", short, out)
		}
		return string(out)
	}

	// HEAD may move while another commit lands during the build: either
	// revision is the truth.
	var revs []string
	head := func() {
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			revs = append(revs, strings.TrimSpace(string(out)))
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		testutil.MissingTool(t, "git is not installed: the build records no revision")
	}
	head()
	var out string
	if len(revs) == 0 {
		// Not a checkout git can read: a build that records no VCS.
		out = build("-buildvcs=false")
	} else {
		// As go build does by default in a checkout; said outright so
		// that GOFLAGS=-buildvcs=false in the environment cannot hide it.
		out = build("-buildvcs=true")
	}
	head()
	if len(revs) == 0 {
		if !strings.HasPrefix(out, "kaudit dev\n") {
			t.Errorf("build outside a checkout:\n%s", out)
		}
	} else {
		first, rest, _ := strings.Cut(out, "\n")
		ok := false
		for _, r := range revs {
			ok = ok || strings.Contains(first, r[:12]) && strings.HasPrefix(rest, "revision "+r)
		}
		if !ok {
			t.Errorf("unstamped build of %v reports\n%s", revs, out)
		}
	}

	out = build("-ldflags=-X github.com/kaudit/kaudit/internal/app.Version=v9.8.7")
	if !strings.HasPrefix(out, "kaudit v9.8.7\n") {
		t.Errorf("stamped build reports\n%s", out)
	}
}
