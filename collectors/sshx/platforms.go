package sshx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/scrapli/scrapligo/driver/generic"
	scrapliplatform "github.com/scrapli/scrapligo/platform"
	"github.com/scrapli/scrapligo/util"

	"github.com/kaudit/kaudit/inventory"
)

// cliPlatform is what a session needs of a scrapligo platform definition
// (cisco_iosxe for IOS, kaudit's asa.yaml for the ASA), parsed and
// compiled once per process. scrapligo's network driver compiles every
// privilege pattern again for each connection, which at hundreds of
// devices was an eighth of an audit's CPU; the session drives the same
// definition through scrapligo's generic driver instead.
type cliPlatform struct {
	prompt *regexp.Regexp // any privilege level's prompt
	exec   *regexp.Regexp // unprivileged prompt
	priv   *regexp.Regexp // the privilege level shows are sent at
	// privNot are strings a privileged prompt never contains (the
	// configuration mode's "(config").
	privNot []string
	// enable is the escalation command, asking for the enable secret
	// with a prompt matching askRe.
	enable string
	askRe  *regexp.Regexp
	failed []string // output that means the device rejected the command
}

var (
	platformsOnce sync.Once
	platforms     map[string]*cliPlatform
	platformsErr  error
)

func cliPlatformFor(name string) (*cliPlatform, error) {
	platformsOnce.Do(func() {
		platforms = map[string]*cliPlatform{}
		for name, def := range map[string]any{inventory.PlatformIOS: scrapliplatform.CiscoIosxe, inventory.PlatformASA: asaPlatform} {
			p, err := loadCLIPlatform(def)
			if err != nil {
				platformsErr = errors.Join(platformsErr, fmt.Errorf("scrapligo platform %s: %w", name, err))
				continue
			}
			platforms[name] = p
		}
	})
	if p := platforms[name]; p != nil {
		return p, nil
	}
	if platformsErr != nil {
		return nil, platformsErr
	}
	return nil, fmt.Errorf("no scrapligo platform for %q", name)
}

func loadCLIPlatform(def any) (*cliPlatform, error) {
	// The host is never contacted: this only parses the definition.
	sp, err := scrapliplatform.NewPlatform(def, "definition")
	if err != nil {
		return nil, err
	}
	want := sp.DefaultDesiredPrivilegeLevel
	lv := sp.PrivilegeLevels[want]
	if lv == nil || lv.PreviousPriv == "" || sp.PrivilegeLevels[lv.PreviousPriv] == nil {
		return nil, fmt.Errorf("privilege level %q and the level below it are not defined", want)
	}
	patterns := make([]string, 0, len(sp.PrivilegeLevels))
	for _, l := range sp.PrivilegeLevels {
		patterns = append(patterns, l.Pattern)
	}
	p := &cliPlatform{privNot: lv.NotContains, enable: lv.Escalate, failed: sp.FailedWhenContains}
	if p.prompt, err = regexp.Compile(strings.Join(patterns, "|")); err != nil {
		return nil, err
	}
	if p.priv, err = regexp.Compile(lv.Pattern); err != nil {
		return nil, err
	}
	if p.exec, err = regexp.Compile(sp.PrivilegeLevels[lv.PreviousPriv].Pattern); err != nil {
		return nil, err
	}
	if p.askRe, err = regexp.Compile(lv.EscalatePrompt); err != nil {
		return nil, err
	}
	return p, nil
}

// privileged reports whether prompt is the level shows are sent at.
func (p *cliPlatform) privileged(prompt string) bool {
	for _, s := range p.privNot {
		if strings.Contains(prompt, s) {
			return false
		}
	}
	return p.priv.MatchString(prompt)
}

// errEnableRefused: the device did not take the enable secret (it asked
// for it again, or stayed unprivileged). The error says what the device
// said, when it said anything.
var errEnableRefused = errors.New("refused")

// enableRefused is errEnableRefused with the device's own answer to the
// secret, else with what it did instead.
func enableRefused(out []byte, secret, otherwise string) error {
	if said := enableAnswer(out, secret); said != "" {
		return fmt.Errorf("%w: device said %q", errEnableRefused, said)
	}
	return fmt.Errorf("%w: %s", errEnableRefused, otherwise)
}

// maxAnswer bounds the device's answer quoted in an error.
const maxAnswer = 120

// enableAnswer is the last non-empty line the device printed after the
// secret and before its prompt ("Invalid password", "% Bad secrets"), the
// secret itself redacted should a device echo it, and clipped.
func enableAnswer(out []byte, secret string) string {
	body := out[:bytes.LastIndexByte(out, '\n')+1] // the prompt line goes
	for len(body) > 0 {
		i := bytes.LastIndexByte(body[:len(body)-1], '\n')
		line := strings.TrimSpace(string(body[i+1:]))
		body = body[:i+1]
		if line == "" {
			continue
		}
		if secret != "" {
			line = strings.ReplaceAll(line, secret, Redacted)
		}
		if len(line) > maxAnswer {
			line = line[:maxAnswer-3] + "..."
		}
		return line
	}
	return ""
}

// acquireEnable types the escalation command and the enable secret when
// the device is at the unprivileged prompt, as scrapligo's network driver
// does, and checks that the prompt is then privileged.
func (p *cliPlatform) acquireEnable(d *generic.Driver, prompt, secret string, timeout time.Duration) error {
	if p.privileged(prompt) {
		return nil
	}
	if !p.exec.MatchString(prompt) {
		return fmt.Errorf("%w: prompt %q is neither unprivileged nor privileged", util.ErrPrivilegeError, prompt)
	}
	// A device without an enable password answers with a prompt at once:
	// the secret is typed only when it is asked for. The patterns are the
	// compiled ones (SendInteractive would compile them for every login).
	either := []*regexp.Regexp{p.prompt, p.askRe}
	ch := d.Channel
	step := func(input string, hide bool) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := ch.Write([]byte(input), hide); err != nil {
			return nil, err
		}
		if !hide {
			if _, err := ch.ReadUntilFuzzy(ctx, []byte(input)); err != nil {
				return nil, promptTimeout(err)
			}
		}
		if err := ch.WriteReturn(); err != nil {
			return nil, err
		}
		out, err := ch.ReadUntilAnyPrompt(ctx, either)
		return bytes.TrimRight(out, " "), promptTimeout(err)
	}
	out, err := step(p.enable, false)
	if err != nil {
		return err
	}
	if p.askRe.Match(tailLine(out)) {
		if out, err = step(secret, true); err != nil {
			return err
		}
		if p.askRe.Match(tailLine(out)) {
			// Asked again: kaudit does not retry a secret that failed
			// (a device may lock the account).
			return enableRefused(out, secret, "the device asked for the secret again")
		}
	}
	// The exchange ended at a prompt: it is the last line.
	prompt = string(tailLine(out))
	if !p.privileged(prompt) {
		return enableRefused(out, secret, fmt.Sprintf("still at %q", prompt))
	}
	return nil
}

// promptTimeout reports a read that ran out of time as scrapligo's own
// operations do, so that the login names the timeout.
func promptTimeout(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %v", util.ErrTimeoutError, err)
	}
	return err
}

// promptNudge is how long the login waits for the device's own prompt
// before it sends a return to ask for one.
const promptNudge = 3 * time.Second

// firstPrompt waits for the prompt a device prints once the login is
// through. Only when none comes within promptNudge (or half the login
// timeout) does it send a return, as scrapligo's GetPrompt does at once:
// devices rarely need it, it costs a round trip, and it leaves a second
// prompt behind. The whole wait is bounded by timeout.
func firstPrompt(d *generic.Driver, timeout time.Duration) (string, error) {
	nudge := min(timeout/2, promptNudge)
	ctx, cancel := context.WithTimeout(context.Background(), nudge)
	b, err := d.Channel.ReadUntilPrompt(ctx)
	cancel()
	if err == nil {
		return string(tailLine(b)), nil
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return "", err
	}
	old := d.Channel.TimeoutOps
	d.Channel.TimeoutOps = timeout - nudge
	defer func() { d.Channel.TimeoutOps = old }()
	return d.GetPrompt()
}
