//go:build unix

package report

import (
	"bytes"
	"context"
	"github.com/kaudit/kaudit/internal/testutil"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kaudit/kaudit/rules"
)

// screenshotPath is where the end-to-end test leaves its screenshot for a
// person to look at; the test logs it.
var screenshotPath = filepath.Join(os.TempDir(), "kaudit-report.png")

// chromium finds a headless-capable Chromium, or skips (fails when the CI
// says the tools must be there).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium not found: the HTML report was NOT rendered in a browser (apt-get install chromium)"
	testutil.MissingTool(t, msg)
	return ""
}

// runChromium runs one headless Chromium with its own profile, offline,
// bounded by a minute; its helper processes die with it.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	home := t.TempDir()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(home, "profile"),
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		// Chromium leaves helpers behind on some exits; the group is ours.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if ctx.Err() != nil {
		t.Fatalf("chromium did not finish within 60 s; stderr:\n%s", tail(stderr.String(), 2000))
	}
	if err != nil {
		t.Fatalf("chromium %v: %v; stderr:\n%s", args, err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func writeHTML(t *testing.T, r *Result) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kaudit-report.html")
	var buf bytes.Buffer
	if err := (HTMLWriter{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var timerRect = regexp.MustCompile(`<rect class="timer (\w+)"`)

func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	r := auditResult()
	path := writeHTML(t, r)

	dom := string(runChromium(t, bin, "--dump-dom", "file://"+path))
	if !strings.Contains(dom, "</html>") {
		t.Fatalf("no DOM dumped:\n%s", tail(dom, 500))
	}
	for _, f := range r.Findings {
		if !strings.Contains(dom, `id="f-`+rules.Fingerprint(f)+`"`) || !strings.Contains(dom, ">"+f.Rule+"<") {
			t.Errorf("DOM lacks finding %s (%s)", f.Rule, rules.Fingerprint(f))
		}
	}
	for _, want := range []string{
		`<span class="exit">exit 1</span>`,
		`<div class="num">1</div><div class="lbl">critical</div>`,
		`<div class="num">3</div><div class="lbl">devices</div>`,
		"Drawing omitted: svg line 1: element &lt;script&gt; is not allowed",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, "<script") {
		t.Error("the browser's DOM has a script element")
	}

	// Every timer is a bar, in the state the writer gave it.
	wantBars, wantBad := 0, 0
	for i, l := range r.Ladders {
		h, ok := htmlLadderOf(i+1, l)
		if !ok {
			continue
		}
		for _, b := range h.Bars {
			wantBars++
			if b.State == barBad {
				wantBad++
			}
		}
	}
	bars := timerRect.FindAllStringSubmatch(dom, -1)
	bad := 0
	for _, m := range bars {
		if m[1] == barBad {
			bad++
		}
	}
	if len(bars) != wantBars || bad != wantBad || wantBad == 0 {
		t.Errorf("DOM has %d timer bars (%d red), want %d (%d red)", len(bars), bad, wantBars, wantBad)
	}
	if n := strings.Count(dom, `<line class="mark`); n < len(r.Ladders) {
		t.Errorf("%d keepalive lines for %d ladders", n, len(r.Ladders))
	}

	runChromium(t, bin, "--screenshot="+screenshotPath, "--window-size=1280,2000", "file://"+path)
	img := checkPNG(t, screenshotPath, 20<<10)
	t.Logf("screenshot: %s", screenshotPath)
	// The stylesheet applied: the masthead is dark, the critical finding
	// has its red border.
	if c := rgb(img.At(5, 5)); c != [3]uint8{0x11, 0x18, 0x27} {
		t.Errorf("masthead pixel %v, want #111827: the inline CSS did not apply", c)
	}
	if n := countColor(img, [3]uint8{0xd9, 0x2d, 0x20}); n < 500 {
		t.Errorf("%d pixels of the critical red: the finding was not styled", n)
	}
}

// A page with only the ladders shows that the SVG bars render, in their
// colours, not only that they are in the DOM.
func TestHTMLLadderPixels(t *testing.T) {
	bin := chromium(t)
	full := auditResult()
	r := &Result{Tool: "kaudit", Ladders: full.Ladders[:3]}
	path := writeHTML(t, r)
	shot := filepath.Join(t.TempDir(), "ladders.png")
	runChromium(t, bin, "--screenshot="+shot, "--window-size=1280,1800", "file://"+path)
	img := checkPNG(t, shot, 20<<10)
	for name, c := range map[string][3]uint8{
		"red (at or below keepalive)": {0xd9, 0x2d, 0x20},
		"green (outlasts it)":         {0x17, 0xb2, 0x6a},
		"slate (keepalive)":           {0x47, 0x54, 0x67},
	} {
		if n := countColor(img, c); n < 400 {
			t.Errorf("%s bars: %d pixels", name, n)
		}
	}
}

func checkPNG(t *testing.T, path string, minBytes int64) image.Image {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if st.Size() < minBytes {
		t.Errorf("screenshot %s is %d bytes, want > %d: the page is blank or trivial", path, st.Size(), minBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 1000 {
		t.Errorf("screenshot is %dx%d", b.Dx(), b.Dy())
	}
	return img
}

func rgb(c color.Color) [3]uint8 {
	r, g, b, _ := c.RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

func countColor(img image.Image, want [3]uint8) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if rgb(img.At(x, y)) == want {
				n++
			}
		}
	}
	return n
}

// vnuJar finds the Nu Html Checker (the W3C validator): KAUDIT_VNU_JAR, or
// a vnu.jar installed by npm (npm install vnu-jar) in the usual places.
func vnuJar(t *testing.T) (java, jar string) {
	t.Helper()
	java, err := exec.LookPath("java")
	jar = os.Getenv("KAUDIT_VNU_JAR")
	if jar == "" {
		for _, dir := range []string{"/usr/local/lib/node_modules", "/usr/lib/node_modules", filepath.Join(os.Getenv("HOME"), "node_modules")} {
			if p := filepath.Join(dir, "vnu-jar", "build", "dist", "vnu.jar"); fileExists(p) {
				jar = p
				break
			}
		}
	}
	if err != nil || jar == "" || !fileExists(jar) {
		msg := "java or vnu.jar not found: the HTML report was NOT validated as HTML5 (npm install -g vnu-jar, or set KAUDIT_VNU_JAR)"
		testutil.MissingTool(t, msg)
	}
	return java, jar
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// TestHTMLValidatesAsHTML5 runs the W3C's checker over the fixture, a
// clean run and hostile input: any error fails.
func TestHTMLValidatesAsHTML5(t *testing.T) {
	java, jar := vnuJar(t)
	files := []string{writeHTML(t, auditResult()), writeHTML(t, cleanResult()), writeHTML(t, &Result{})}
	for _, s := range []string{strings.Join(hostile, ""), `"><script>alert(1)</script><svg onload=x>`} {
		files = append(files, writeHTML(t, hostileResult(s)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, java, append([]string{"-jar", jar, "--errors-only", "--also-check-svg", "--format", "text"}, files...)...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the checker did not finish within 120 s")
	}
	// The checker exits 1 on any error; with --errors-only it prints
	// nothing else but its closing line.
	if err != nil || strings.Contains(string(out), "Error:") || !strings.Contains(string(out), "No errors found") {
		t.Errorf("the HTML is not valid HTML5 (%v):\n%s", err, tail(string(out), 4000))
	}
}
