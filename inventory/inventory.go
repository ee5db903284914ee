// Package inventory reads the devices kaudit audits from a Nornir-style YAML
// file (defaults, groups, hosts) and resolves each host's settings. It holds
// only references to credentials, never the credentials themselves.
package inventory

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Platforms kaudit can audit (the same names as facts.Platform*; this
// package sits upstream of facts and does not import it).
const (
	PlatformIOS  = "ios"
	PlatformASA  = "asa"
	PlatformCUCM = "cucm"
)

// How a CUCM node is read (Host.Transport): the admin CLI over SSH, AXL
// over HTTPS, or AXL with the CLI when AXL cannot be used.
const (
	TransportCLI  = "cli"
	TransportAXL  = "axl"
	TransportAuto = "auto"
)

// Built-in settings for what neither defaults, groups nor the host set.
const (
	DefaultPort           = 22
	DefaultTimeout        = 30 * time.Second
	DefaultCommandTimeout = 60 * time.Second
)

// maxFile bounds what Parse accepts; a real inventory of thousands of
// hosts is well under a megabyte.
const maxFile = 16 << 20

var platforms = []string{PlatformIOS, PlatformASA, PlatformCUCM}

// Inventory is a resolved inventory: every host with its settings merged
// from defaults, groups and its own entry.
type Inventory struct {
	Hosts []Host // sorted by Name

	// all is the unfiltered inventory a Filter result came from, so that a
	// jump host outside the selection is still found.
	all *Inventory
	// kept are the call managers Limit added (KeptCallManagers).
	kept []string
}

// Host is one device with all settings resolved.
type Host struct {
	Name     string
	Platform string // PlatformIOS, PlatformASA or PlatformCUCM
	Address  string // hostname or IP; the host name when not set
	Port     int
	Username string

	Password   SecretRef
	Enable     SecretRef
	PrivateKey string // path as written (Load makes relative paths absolute)
	Passphrase SecretRef
	SSHAgent   bool
	// KnownHosts is the known_hosts file to check host keys against; ""
	// leaves the choice to the SSH layer (the user's ~/.ssh/known_hosts).
	KnownHosts string
	// Jump is the ProxyJump: the name of another inventory host (see
	// Inventory.Host) or [user@]host[:port]; "" connects directly.
	Jump             string
	LegacyAlgorithms bool

	Timeout        time.Duration // connect and login
	CommandTimeout time.Duration // one command's output

	// Transport is how a CUCM node is read: TransportCLI (also when
	// ""), TransportAXL or TransportAuto; other platforms use the CLI.
	Transport string
	// AXL's HTTPS port (0: the client's default, 8443), schema version
	// ("": read from the node) and how its certificate is verified: a
	// pinned SHA-256 fingerprint, a CA file, or a known-certificates file
	// (trust on first use); none of them: the system's roots.
	AXLPort        int
	AXLVersion     string
	AXLCAFile      string
	AXLFingerprint string
	AXLKnownHosts  string

	Tags  []string // union over defaults, groups and host; sorted
	Roles []string // union over defaults, groups and host; sorted
	// Groups lists every group the host belongs to, directly or through
	// group inheritance, in the order their settings were applied.
	Groups []string
	Data   map[string]string

	Line int // line of the host's entry in the inventory file
}

// LogValue keeps log lines about a host short and free of credential
// details.
func (h Host) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", h.Name),
		slog.String("platform", h.Platform),
		slog.String("address", h.Address),
		slog.Int("port", h.Port),
	)
}

// Host returns the host named name, or nil.
func (inv *Inventory) Host(name string) *Host {
	i := sort.Search(len(inv.Hosts), func(i int) bool { return inv.Hosts[i].Name >= name })
	if i < len(inv.Hosts) && inv.Hosts[i].Name == name {
		return &inv.Hosts[i]
	}
	return nil
}

// JumpHost returns the inventory host h jumps through, or nil when h
// connects directly or its Jump is not an inventory host name (then it is
// [user@]host[:port], see SplitJump). Hosts left out by Filter are found.
func (inv *Inventory) JumpHost(h *Host) *Host {
	if h.Jump == "" || strings.ContainsAny(h.Jump, "@:[") {
		return nil
	}
	src := inv
	if inv.all != nil {
		src = inv.all
	}
	return src.Host(h.Jump)
}

// SplitJump splits a jump that is not an inventory host name into its
// parts; user is "" and port 0 when not given.
func SplitJump(jump string) (user, host string, port int, err error) {
	if msg := jumpSyntax(jump); msg != "" {
		return "", "", 0, fmt.Errorf("jump %q: %s", jump, msg)
	}
	hostport := jump
	if i := strings.LastIndex(jump, "@"); i >= 0 {
		user, hostport = jump[:i], jump[i+1:]
	}
	if strings.HasPrefix(hostport, "[") || strings.Count(hostport, ":") == 1 {
		h, ps, err := net.SplitHostPort(hostport)
		if err != nil {
			return "", "", 0, fmt.Errorf("jump %q: %w", jump, err)
		}
		port, _ = strconv.Atoi(ps) // checked by jumpSyntax
		return user, h, port, nil
	}
	return user, hostport, 0, nil
}

// Load reads and parses the inventory file at path. Relative paths in it
// (secret files, private_key, known_hosts) are taken relative to the
// file's directory, so a cron job finds them whatever its working directory.
func Load(path string) (*Inventory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	}
	inv, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	}
	for i := range inv.Hosts {
		h := &inv.Hosts[i]
		h.PrivateKey = rebase(dir, h.PrivateKey)
		h.KnownHosts = rebase(dir, h.KnownHosts)
		h.AXLCAFile = rebase(dir, h.AXLCAFile)
		h.AXLKnownHosts = rebase(dir, h.AXLKnownHosts)
		for _, s := range []*SecretRef{&h.Password, &h.Enable, &h.Passphrase} {
			if s.Kind == SecretFile {
				s.Ref = rebase(dir, s.Ref)
			}
		}
	}
	return inv, nil
}

func rebase(dir, p string) string {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "~") {
		return p
	}
	return filepath.Join(dir, p)
}

// Parse reads an inventory from data; name is the file name used in error
// messages. It does no I/O: secrets are not resolved and paths not checked,
// so offline replays work without credentials. Every problem found is
// returned (errors.Join of *Error, sorted by line).
func Parse(name string, data []byte) (inv *Inventory, err error) {
	if name == "" {
		name = "inventory"
	}
	p := &parser{file: name}
	defer func() {
		// yaml.v3 is third-party code fed with user input; a panic inside
		// it must surface as an input error, not crash a nightly audit.
		if r := recover(); r != nil {
			inv, err = nil, &Error{File: name, Msg: fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	inv = p.parse(data)
	if err := joinSorted(p.errs); err != nil {
		return nil, err
	}
	return inv, nil
}

// Marshal writes inv back as an inventory file that Parse reads to the same
// hosts: every host fully resolved (no defaults), each group it belongs to
// declared empty so Groups survives, secrets as references.
func Marshal(inv *Inventory) []byte {
	out := outInventory{Hosts: map[string]outHost{}}
	for _, h := range inv.Hosts {
		out.Hosts[h.Name] = toOut(h)
		for _, g := range h.Groups {
			if out.Groups == nil {
				out.Groups = map[string]struct{}{}
			}
			out.Groups[g] = struct{}{}
		}
	}
	var buf bytes.Buffer
	buf.WriteString(marshalHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		// Only strings, ints, bools and maps of them are encoded, which
		// yaml.v3 cannot fail on; reaching here is a bug in this package.
		panic(fmt.Sprintf("inventory: marshal: %v", err))
	}
	if err := enc.Close(); err != nil {
		panic(fmt.Sprintf("inventory: marshal: %v", err))
	}
	return buf.Bytes()
}

const marshalHeader = "# Resolved kaudit inventory: defaults and groups are merged into each host.\n" +
	"# Secrets are references (env or file), never values.\n"

// Digest is the SHA-256 (hex) of the canonical resolved inventory: it
// changes when any host's effective settings change and not when the file
// is merely reformatted or regrouped to the same effect. Secret values are
// not part of it, only their references.
func (inv *Inventory) Digest() string {
	type digestHost struct {
		Name string `json:"name"`
		outHost
	}
	hosts := make([]digestHost, 0, len(inv.Hosts))
	for _, h := range inv.Hosts {
		hosts = append(hosts, digestHost{Name: h.Name, outHost: toOut(h)})
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	b, err := json.Marshal(hosts)
	if err != nil {
		panic(fmt.Sprintf("inventory: digest: %v", err)) // as in Marshal
	}
	sum := sha256.Sum256(append([]byte("kaudit-inventory-v1\n"), b...))
	return hex.EncodeToString(sum[:])
}

// outHost is the written form of a host, shared by Marshal and Digest so the
// two cannot drift apart. Field order is the order users read.
type outHost struct {
	Platform         string            `yaml:"platform" json:"platform"`
	Address          string            `yaml:"address,omitempty" json:"address,omitempty"`
	Port             int               `yaml:"port,omitempty" json:"port,omitempty"`
	Username         string            `yaml:"username,omitempty" json:"username,omitempty"`
	Password         *outSecret        `yaml:"password,omitempty,flow" json:"password,omitempty"`
	Enable           *outSecret        `yaml:"enable,omitempty,flow" json:"enable,omitempty"`
	PrivateKey       string            `yaml:"private_key,omitempty" json:"private_key,omitempty"`
	Passphrase       *outSecret        `yaml:"passphrase,omitempty,flow" json:"passphrase,omitempty"`
	SSHAgent         bool              `yaml:"ssh_agent,omitempty" json:"ssh_agent,omitempty"`
	KnownHosts       string            `yaml:"known_hosts,omitempty" json:"known_hosts,omitempty"`
	Jump             string            `yaml:"jump,omitempty" json:"jump,omitempty"`
	LegacyAlgorithms bool              `yaml:"legacy_algorithms,omitempty" json:"legacy_algorithms,omitempty"`
	Timeout          string            `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	CommandTimeout   string            `yaml:"command_timeout,omitempty" json:"command_timeout,omitempty"`
	Transport        string            `yaml:"transport,omitempty" json:"transport,omitempty"`
	AXLPort          int               `yaml:"axl_port,omitempty" json:"axl_port,omitempty"`
	AXLVersion       string            `yaml:"axl_version,omitempty" json:"axl_version,omitempty"`
	AXLCAFile        string            `yaml:"axl_ca_file,omitempty" json:"axl_ca_file,omitempty"`
	AXLFingerprint   string            `yaml:"axl_fingerprint,omitempty" json:"axl_fingerprint,omitempty"`
	AXLKnownHosts    string            `yaml:"axl_known_hosts,omitempty" json:"axl_known_hosts,omitempty"`
	Groups           []string          `yaml:"groups,omitempty,flow" json:"groups,omitempty"`
	Roles            []string          `yaml:"roles,omitempty,flow" json:"roles,omitempty"`
	Tags             []string          `yaml:"tags,omitempty,flow" json:"tags,omitempty"`
	Data             map[string]string `yaml:"data,omitempty" json:"data,omitempty"`
}

type outSecret struct {
	Env  string `yaml:"env,omitempty" json:"env,omitempty"`
	File string `yaml:"file,omitempty" json:"file,omitempty"`
}

type outInventory struct {
	Groups map[string]struct{} `yaml:"groups,omitempty"`
	Hosts  map[string]outHost  `yaml:"hosts"`
}

func toOut(h Host) outHost {
	o := outHost{
		Platform:         h.Platform,
		Address:          h.Address,
		Port:             h.Port,
		Username:         h.Username,
		Password:         toOutSecret(h.Password),
		Enable:           toOutSecret(h.Enable),
		PrivateKey:       h.PrivateKey,
		Passphrase:       toOutSecret(h.Passphrase),
		SSHAgent:         h.SSHAgent,
		KnownHosts:       h.KnownHosts,
		Jump:             h.Jump,
		LegacyAlgorithms: h.LegacyAlgorithms,
		Transport:        h.Transport,
		AXLPort:          h.AXLPort,
		AXLVersion:       h.AXLVersion,
		AXLCAFile:        h.AXLCAFile,
		AXLFingerprint:   h.AXLFingerprint,
		AXLKnownHosts:    h.AXLKnownHosts,
		Groups:           h.Groups,
		Roles:            h.Roles,
		Tags:             h.Tags,
		Data:             h.Data,
	}
	if h.Timeout > 0 {
		o.Timeout = formatDuration(h.Timeout)
	}
	if h.CommandTimeout > 0 {
		o.CommandTimeout = formatDuration(h.CommandTimeout)
	}
	return o
}

// formatDuration writes 2m rather than 2m0s, as people write them.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func toOutSecret(s SecretRef) *outSecret {
	switch s.Kind {
	case SecretEnv:
		return &outSecret{Env: s.Ref}
	case SecretFile:
		return &outSecret{File: s.Ref}
	}
	return nil
}
