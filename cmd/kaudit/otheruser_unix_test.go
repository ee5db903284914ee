//go:build unix

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// helperEnv carries the arguments of a CLI run to the helper process.
const helperEnv = "KAUDIT_TEST_HELPER_ARGS"

// helperMark starts the helper process's line with the run's result.
const helperMark = "KAUDIT-HELPER-RESULT:"

// asOtherUser returns a runner of the CLI as a user who owns none of the
// test's files, so that file modes hold: nobody (65534) in a copy of this
// test binary when the tests run as root, else the test's own user, for
// whom they hold already. dir and the directories above it up to the
// test's temporary directory are opened to that user for reading.
func asOtherUser(t *testing.T, dir string) func(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return kaudit
	}
	for d := filepath.Dir(dir); strings.HasPrefix(d, os.TempDir()+"/"); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The go tool's build directory is root's alone; the helper runs
	// from a copy, with a temporary directory of its own.
	home := t.TempDir()
	tmp := filepath.Join(home, "tmp")
	if err := os.Chmod(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tmp, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	os.Chmod(tmp, 0o777|os.ModeSticky)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(home, "kaudit.test")
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T, stdin string, args ...string) (int, string, string) {
		t.Helper()
		enc, _ := json.Marshal(args)
		cmd := exec.Command(bin, "-test.run=^TestHelperProcess$")
		cmd.Dir = home
		cmd.Env = append(os.Environ(), helperEnv+"="+string(enc), "TMPDIR="+tmp, "HOME="+tmp)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		for _, line := range strings.Split(string(out), "\n") {
			if rest, ok := strings.CutPrefix(line, helperMark); ok {
				var res struct {
					Code        int
					Out, ErrOut string
				}
				if err := json.Unmarshal([]byte(rest), &res); err != nil {
					t.Fatalf("helper result: %v", err)
				}
				return res.Code, res.Out, res.ErrOut
			}
		}
		t.Fatalf("helper process as uid 65534: %v\n%s", err, out)
		return 0, "", ""
	}
}

// TestHelperProcess is the CLI run of asOtherUser; it does nothing in a
// normal test run.
func TestHelperProcess(t *testing.T) {
	enc := os.Getenv(helperEnv)
	if enc == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(enc), &args); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Code        int
		Out, ErrOut string
	}
	res.Code, res.Out, res.ErrOut = kaudit(t, "", args...)
	b, _ := json.Marshal(res)
	// Its own line: the test framework writes around it.
	os.Stdout.WriteString("\n" + helperMark + string(b) + "\n")
}
