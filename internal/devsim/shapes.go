package devsim

import "strings"

// The text the simulator prints that no lab file supplies: prompts,
// banners, answers to session commands, errors, pagers and the CUCM
// capture dialogue. Each declaration names the public transcript or vendor
// document it follows ("Source:"), or says that none was found ("No public
// source:") and what kaudit does so as not to depend on it.
// TestShapeProvenance holds every declaration in this file to that. The
// capture dumps and their command answers live in devcap.go with their
// own sources.
//
// Sources cited more than once:
//
//   - [881]: a Cisco 881 session log, github.com/ktbyers/netmiko
//     tests/SLOG/cisco881_slog_wr.log @66b916f6.
//   - [pyneng]: an IOS transcript in github.com/natenka/pyneng-examples-exercises
//     exercises/22_oop_basics/task_22_2c.py @4fffdb5e.
//   - [5506]: an ASA 5506-X 9.8(4)22 console capture posted to
//     netdev@vger.kernel.org on 2024-01-21, "Accidentally set Password
//     Recovery Functionality to Disabled for Cisco ASA 5506-X Firewall ...",
//     https://lore.kernel.org/netdev/JOhkKNLAc4s78ndVx8fG5cjGyh-Gc3XA4csUXYJuv4wk56cuZcff2t2gbtvAtkujWkL3nTOKdBirMvSIyc0OZWFKW2zZwWogvHI0kusQ5C4=@protonmail.com/
//   - [unicon]: Cisco's own pyATS connection plugins,
//     github.com/CiscoTestAutomation/unicon.plugins @c4231305: the ASA mock
//     (src/unicon/plugins/tests/mock_data/asa/) and the VOS (CUCM) plugin
//     (src/unicon/plugins/vos/patterns.py, tests/mock_data/vos/vos_mock_data.yaml).
//   - [cli-ref]: Command Line Interface Reference Guide for Cisco Unified
//     Communications Solutions, Release 12.5(1)SU2/SU3,
//     https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/cucm/cli_ref/12_5_1SU2/cucm_b_command-line-interface-reference-guide-1251Su2/cucm_b_command-line-interface-reference-guide-1251Su2_chapter_0110.html
//     (Set Commands) and .../12_5_1SU3/.../cucm_b_command-line-interface-reference-guide-1251Su2_chapter_0111.html
//     (Show Commands).

// Line ending of everything a session prints.
//
// Source: the captured Catalyst `show interfaces` bytes in a public unit test
// (test_aft_cisco_control.py, author "__L1n__w@tch") and the CUCM login
// banner kept as CRLF bytes in public CUCM tooling tests; kaudit drops every
// CR before it matches anything (shell.readAppend, scrapligo's channel), so
// LF-only or LF-CR devices read the same.
const lineEnd = "\r\n"

// SSH version strings the simulated devices announce.
//
// No public source: no vendor document lists them. "SSH-2.0-Cisco-1.25" is
// what IOS and ASA announce in public SSH-banner fingerprint tables;
// "OpenSSH_7.4" is the OpenSSH of the CentOS 7 base of CUCM 12.5 and later
// (a CUCM 11.5 log in public Ansible tooling shows OpenSSH_5.3). kaudit
// never reads the version string.
const (
	sshVersionCisco = "SSH-2.0-Cisco-1.25"
	sshVersionCUCM  = "SSH-2.0-OpenSSH_7.4"
)

// The keyboard-interactive password question.
//
// No public source: the wording of a device's keyboard-interactive prompt
// is not documented; kaudit answers whatever single question is asked
// (collectors/sshx/auth.go).
const kbdPasswordPrompt = "Password: "

// IOS prompts: hostname, then > (user EXEC) or # (privileged EXEC), no
// space after.
//
// Source: [881] ("cisco1>", "cisco1#") and [pyneng] ("R1#"); the caret of
// [881] counts the prompt without a trailing space.
const (
	iosUserPrompt = ">"
	iosPrivPrompt = "#"
)

// ASA prompts end in a space after > or #.
//
// Source: [5506]: the caret under "securevpn> reload" stands at column 11,
// one past "securevpn>"; github.com/hknutzen/Netspoc-Approve
// go/pkg/cisco/device.go @c95ddcd2 ("Current prompt: \n\rHOSTNAME# ").
// kaudit's asa.yaml accepts the prompt with or without the space.
const (
	asaUserPrompt = "> "
	asaPrivPrompt = "# "
)

// The CUCM CLI prompt, whoever logs in.
//
// Source: [cli-ref] ("Command Modes: Administrator (admin:)") and every
// transcript there. [unicon]'s VOS prompt pattern also allows "\x1b[K"
// before it; kaudit strips ANSI sequences before it looks for the prompt
// and allows spaces after it (collectors/sshx/session.go cucmPrompt).
const cucmPromptText = "admin:"

// What the CUCM CLI prints at once, before its JVM is up (the rest of the
// banner comes seconds later).
//
// Source: the login transcript in Cisco TAC document 217581,
// https://www.cisco.com/c/en/us/support/docs/unified-communications/unified-communications-manager-im-presence-service/217581-troubleshoot-im-p-inter-clustering-issue.html
// (and [unicon]'s vos_mock_data.yaml).
const cucmStarting = "\nCommand Line Interface is starting up, please wait ...\n"

// The rest of the CUCM login banner; a blank line separates it from the
// first prompt.
//
// Source: Cisco TAC document 217581 (see cucmStarting); the blank line
// before "admin:" is in the DevNet Finesse sandbox transcripts and in
// public CUCM SQL guides as well. Real banners may add lines (217581 shows
// "WARNING: DNS unreachable"); kaudit only waits for the prompt.
const defaultCUCMBanner = `
   Welcome to the Platform Command Line Interface

VMware Installation:
	2 vCPU: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz
	Disk 1: 110GB, Partitions aligned
	8192 Mbytes RAM

`

// The ASA's login banner: the login history (on by default since 9.8) and
// the help line, with the two spaces after each count.
//
// Source: [5506] ("User enable_1 logged in to securevpn", "Logins over the
// last 1 days: 1.", "Failed logins since the last login: 0.", "Type help or
// '?' for a list of available commands."); [unicon]
// tests/mock_data/asa/fp2k_reload.txt keeps the trailing spaces.
const (
	asaLoginHistoryFormat = "User %s logged in to %s\nLogins over the last 1 days: 1.  \nFailed logins since the last login: 0.  \n"
	defaultASABanner      = "Type help or '?' for a list of available commands."
)

// enable asks for the secret.
//
// Source: github.com/ktbyers/netmiko tests/SLOG/netmiko.log @66b916f6
// ("enable" answered by "Password: "); [unicon] asa_mock_data.yaml
// (prompt "Password: ").
const enablePrompt = "Password: "

// IOS after three wrong enable secrets: no word between the tries, then
// "% Bad secrets" and a blank line.
//
// Source: github.com/jlamsens/opensysadmins
// docs/howtos/password-recovery-cisco2960/index.md @fd8676d0 (Catalyst
// 2960: three "Password:", "% Bad secrets", blank line, "Switch>").
const iosBadSecrets = "% Bad secrets"

// The ASA's answer to each wrong enable secret, and its last word.
//
// No public source: kaudit issue 12 reports this from a real ASA; Cisco's
// ASA guides show only the right password, and netmiko and scrapli threads
// only their own errors. The asa-console gem's script/test_error_enable.rb
// (hgoodman/asa-console) agrees that a wrong secret is followed by a second
// "Password:". kaudit does not depend on the wording: it reports whatever
// line the device printed and never types a secret twice
// (collectors/sshx/platforms.go enableAnswer).
const (
	asaInvalidPassword = "Invalid password"
	asaAccessDenied    = "Access denied."
)

// The answer to terminal length/width (IOS) and terminal pager/width
// (ASA): nothing, only the next prompt.
//
// Source: [881] ("terminal width 511" and "terminal length 0" followed by
// the prompt alone); [unicon] asa_mock_data.yaml ("terminal pager 0": "").
const terminalAnswer = ""

// IOS's rejection of a word: a caret under the first character no command
// accepts, counted from the start of the prompt, the message and a blank
// line.
//
// Source: [881] ("cisco1>show foooooooo" puts the caret under the third
// character of the unknown word) and [pyneng] (caret, message, blank
// line). kaudit needs only the message (scrapligo's cisco_iosxe
// failed-when-contains); a caret line missing or misplaced changes nothing.
const iosInvalidInput = "% Invalid input detected at '^' marker."

// The ASA's rejection: the caret line, then the message, no blank line.
//
// Source: [5506] ("securevpn> reload", caret, "ERROR: % Invalid input
// detected at '^' marker.", "securevpn>").
const asaInvalidInput = "ERROR: % Invalid input detected at '^' marker."

// IOS: a command that needs more words; a blank line follows.
//
// Source: [pyneng] ("R1(config)#logging", "% Incomplete command.", blank
// line).
const iosIncomplete = "% Incomplete command."

// The ASA's incomplete command, no blank line.
//
// Source: a public CML IPsec lab write-up (Jekyll page "IPsec", parent
// "Labs": "ASA1# sh cry ipsec", "ERROR: % Incomplete command", "ASA1# ");
// the repository holding it was not identified. kaudit's asa.yaml matches
// the string as a prefix.
const asaIncomplete = "ERROR: % Incomplete command"

// IOS: an abbreviation of more than one command, two spaces after the
// colon, the typed line quoted, and no blank line after.
//
// Source: [pyneng] ("R1(config)#a", `% Ambiguous command:  "a"`, then the
// prompt) and github.com/puppetlabs/puppet
// spec/unit/util/network_device/cisco/device_spec.rb @01647b70 (`Switch#sh
// vlan brief`, `% Ambiguous command:  "sh vlan brief"`, `Switch#`).
const iosAmbiguousFormat = `%% Ambiguous command:  "%s"`

// The ASA's ambiguous command.
//
// No public source: no ASA transcript of an ambiguous abbreviation was
// found; the text follows the ASA's other errors. kaudit's asa.yaml
// matches the prefix "ERROR: % Ambiguous command", which also covers a
// quoted line after it.
const asaAmbiguous = "ERROR: % Ambiguous command"

// The CUCM CLI's marker of a failed command.
//
// Source: [cli-ref] Show Commands ("show haproxy client-auth 9456": the
// reason, then "Executed command unsuccessfully"); Cisco TAC document
// 118892 and public CUCM Ansible modules test for the same string.
const cucmFailed = "Executed command unsuccessfully"

// The CUCM CLI's answer to a command it does not have.
//
// No public source: no transcript of an unknown CUCM command was found.
// The simulator prints the marker first and then the reason; Cisco's
// examples of other failures print the reason first. kaudit only looks
// for the marker anywhere in the output (collectors/sshx/session.go
// cucmFailed) and reports the last other line as the reason.
const cucmNoValidCommand = "No valid command entered"

// The CUCM answers to set cli pagination.
//
// Source: [cli-ref] Set Commands ("admin:set cli pagination off",
// "Automatic pagination is turned off"). The "on" answer is the same
// sentence and has no public transcript. [unicon]'s mock answers "off"
// with nothing; kaudit ignores the answer either way.
const (
	cucmPaginationOff = "Automatic pagination is turned off"
	cucmPaginationOn  = "Automatic pagination is turned on"
)

// The IOS pager: " --More-- ", erased by nine backspaces, eight spaces and
// nine backspaces (the leading space stays).
//
// Source: the captured Catalyst `show interfaces` bytes in a public unit
// test (test_aft_cisco_control.py, author "__L1n__w@tch"); public telnet
// scrapers strip the same sequence, others ten/ten/ten. kaudit removes any
// run of backspaces, spaces and CRs after the marker (collectors/sshx/shell.go
// filter, collectors/ios stripMore).
const (
	iosMore      = " --More-- "
	iosMoreErase = "\b\b\b\b\b\b\b\b\b        \b\b\b\b\b\b\b\b\b"
)

// The ASA pager, erased by CR, fourteen spaces, CR.
//
// Source: [unicon] asa_mock_data.yaml (prompt "<--- More --->");
// github.com/wifiguru10/Meraki_MX_Converter asa_to_mx.py @58563976 strips
// the "<--- More --->" line and the line of fourteen spaces it leaves in a
// saved ASA config.
const (
	asaMore      = "<--- More --->"
	asaMoreErase = "\r              \r"
)

// The CUCM pager, in bold, followed by erase-to-end-of-line.
//
// Source: [unicon] vos/patterns.py (press_enter_space_q wraps the text in
// "\x1b[1m" and "\x1b[0m") and vos_mock_data.yaml (adds "\x1b[K"); Cisco
// TAC trace examples show the plain text. kaudit's pager filter skips ANSI
// sequences around a pager marker (collectors/sshx/shell.go).
const (
	cucmMore     = "Press <enter> for 1 line, <space> for one page, or <q> to quit"
	cucmMoreBold = "\x1b[1m"
	cucmMoreEnd  = "\x1b[0m\x1b[K"
)

// How the CUCM pager prompt is erased after a key: CR, blanks over the
// text, CR.
//
// No public source: no capture of the bytes after the key was found. kaudit
// skips CRs, spaces, backspaces and ANSI sequences there.
var cucmMoreErase = "\r" + strings.Repeat(" ", len(cucmMore)) + "\r"

// Backspace at the command line: cursor back, blank, back.
//
// No public source: the standard VT100 echo of an erased character, which
// kaudit never sends (it types whole lines).
const echoErase = "\b \b"

// Ctrl-C during a CUCM capture: the CLI echoes ^C and returns to the
// prompt.
//
// No public source: Cisco's capture notes only say to press Ctrl-C (TAC
// document 215537); kaudit waits for the prompt alone (sshx Foreground).
const cucmInterruptEcho = "^C"

// utils network capture: the options block the CUCM CLI prints before it
// captures, columns as on CUCM 11.5.
//
// Source: Cisco TAC document 215537,
// https://www.cisco.com/c/en/us/support/docs/unified-communications/unified-communications-manager-callmanager/215537-network-time-protocol-ntp-on-cucm.html
// ("Executing command with options:", " size=128  count=1000
// interface=eth0", " src= dest= port=123", " ip="); CUCM 9.1 printed one
// option a line (TAC document 200180). The column widths are ours: the
// document collapses them. kaudit reads none of it.
const (
	cucmCaptureHeader = "Executing command with options:"
	cucmCaptureFormat = " size=%-20s count=%-16s interface=%s\n src=%-21s dest=%-17s port=\n ip=%s\n"
)

// file get: the gathering line, the totals, the questions and the end of
// the push.
//
// Source: Cisco UCCE 12.6(2) Serviceability Guide, Cloud Connect chapter,
// https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/cust_contact/contact_center/icm_enterprise/icm_enterprise_12_6_2/configuration/guide/ucce_b_serviceability-guide-for-cisco-unified_12_62/rcct_m_cloud-connect-serviceability.html
// (the VOS file get: "done.", "Sub-directories were not traversed.",
// "Number of files affected: 1", "Total size in Bytes: 2472833", "Total
// size in Kbytes: 2414.876", "Would you like to proceed [y/n]?", server
// port "[22]", "Download directory:", "Transfer completed"), and a public
// CUCM 7 music-on-hold guide ("Please wait while the system is gathering
// files info ...done.", "SFTP server IP:", "User ID:", "Password:", ".",
// "Transfer completed."). confirm.ParseFileGet reads only the two counts.
const (
	cucmGathering     = "Please wait while the system is gathering files info ...done."
	cucmNoSubdirs     = "Sub-directories were not traversed."
	cucmFilesAffected = "Number of files affected: "
	cucmTotalBytes    = "Total size in Bytes: "
	cucmTotalKbytes   = "Total size in Kbytes: "
	cucmProceed       = "Would you like to proceed [y/n]? "
	cucmSFTPIP        = "SFTP server IP: "
	cucmSFTPPort      = "SFTP server port [22]: "
	cucmSFTPUser      = "User ID: "
	cucmSFTPPassword  = "Password: "
	cucmDownloadDir   = "Download directory: "
	cucmTransferDot   = "."
	cucmTransferDone  = "Transfer completed."
)

// file delete's answer when it removed the file.
//
// Source: Cisco TAC document 118892,
// https://www.cisco.com/c/en/us/support/docs/unified-communications/unified-communications-manager-callmanager/118892-config-cucm-00.html
// ("admin:file delete tftp CTLFile.tlv", ..., "files: found = 1, deleted =
// 1"). kaudit reads only cucmFailed from a delete.
const cucmDeletedOneFile = "files: found = 1, deleted = 1"

// file get or file delete for a file that is not there, and a push that
// failed.
//
// No public source: the CUCM docs are silent on both (see confirm/cucm.go).
// The wording is ours; kaudit relies only on cucmFailed after it.
const (
	cucmNoFiles        = "No files matched filter criteria."
	cucmTransferFailed = "Transfer failed: "
)

// The SFTP host-key question CUCM's client may ask before it pushes.
//
// Source: OpenSSH's own wording (ssh's sshconnect.c: "The authenticity of
// host '%s (%s)' can't be established.", "%s key fingerprint is %s.", "Are
// you sure you want to continue connecting (yes/no)?"); public automation
// written for CUCM 15 answers it. Where and whether CUCM asks is not
// documented: kaudit answers it when asked (confirm/cucm.go
// fileGetQuestions, Optional).
const (
	sftpHostUnknownFormat = "The authenticity of host '%s (%s)' can't be established."
	sftpFingerprintFormat = "%s key fingerprint is SHA256:%s."
	sftpContinue          = "Are you sure you want to continue connecting (yes/no)? "
)

// AXL, CUCM's SOAP API over HTTPS (axl.go). Sources cited more than once:
//
//   - [xsd]: Cisco's AXL schema 14.0, AXLSoap.xsd and AXLAPI.wsdl, as
//     published with github.com/CiscoDevNet/axl-python-zeep-samples
//     (schema/) @51cc554.
//   - [217581]: Cisco TAC document 217581, "Troubleshoot IM&P
//     Inter-Clustering Issues Caused by DNS Misconfiguration", which logs
//     a CUCM's AXL request and answer byte for byte:
//     https://www.cisco.com/c/en/us/support/docs/unified-communications/unified-communications-manager-im-presence-service/217581-troubleshoot-im-p-inter-clustering-issue.html

// The frame of every AXL answer: the XML declaration, the SOAP envelope
// and body, all on one line.
//
// Source: [217581] ("Final response String : <?xml version='1.0'
// encoding='utf-8'?><soapenv:Envelope
// xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>...").
const (
	axlEnvelopeOpen  = `<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`
	axlEnvelopeClose = `</soapenv:Body></soapenv:Envelope>`
)

// An operation's answer element, in the ns prefix of the schema version
// asked, around its return element; executeSQLQuery's rows hold one
// element per column.
//
// Source: [217581] (`<ns:executeSQLQueryResponse
// xmlns:ns="http://www.cisco.com/AXL/API/8.0"><return><row><count>2</count></row></return></ns:executeSQLQueryResponse>`)
// and [xsd] (ExecuteSQLQueryRes; GetCCMVersionRes:
// return/componentVersion/version).
const (
	axlResponseOpenFormat  = `<ns:%sResponse xmlns:ns="http://www.cisco.com/AXL/API/%s"><return>`
	axlResponseCloseFormat = `</return></ns:%sResponse>`
	axlVersionReturnFormat = `<componentVersion><version>%s</version></componentVersion>`
)

// How a NULL column appears in a row.
//
// No public source: Cisco's documents show no NULL in an executeSQLQuery
// row. The simulator writes an empty element; kaudit reads an empty
// element and a left-out one alike, as not set (cucm.AXLTable).
const axlNullFormat = "<%s></%s>"

// A SOAP fault with AXL's error detail, answered with HTTP 500.
//
// Source: a CUCM 9.1/10.5 fault posted in the Cisco community thread "axl
// errors - it seems the format changed" (communities.cisco.com/thread/50791):
// <soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>...</faultstring>
// <detail><axlError><axlcode>5007</axlcode><axlmessage>...</axlmessage>
// <request>getUser</request></axlError></detail></soapenv:Fault>; [xsd]
// (AXLError: axlcode, axlmessage, request).
const axlFaultFormat = `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>%[1]s</faultstring><detail><axlError><axlcode>%[2]d</axlcode><axlmessage>%[1]s</axlmessage><request>%[3]s</request></axlError></detail></soapenv:Fault>`

// The fault for a query the lab has no output for, and for an operation
// the simulator does not play.
//
// No public source: the simulator's own; a real node runs any SELECT.
// kaudit reports the fault as the device's error.
const (
	axlNoLabOutput    = "devsim: the lab holds no output for this query"
	axlNotImplemented = "devsim: operation not simulated"
)

// The session cookie CUCM sets after a login with basic authentication,
// which a client sends instead of its credentials from then on.
//
// Source: Cisco's AXL developer guide, "Using JSESSIONIDSSO to Improve
// Performance" (developer.cisco.com/docs/axl/axl-developer-guide).
const axlSessionCookie = "JSESSIONIDSSO"

// What getCCMVersion reports by default.
//
// No public source: none gives this release number. The form (release
// with a dash and the build) is the one third-party AXL clients' tests
// show ("14.0.1.10000-20"); kaudit takes only the major.minor from it.
const axlDefaultRelease = "14.0.1.13900-155"

// The schema versions a node takes by default: a CUCM 14 takes its own
// and those of the two releases before.
//
// Source: Cisco's AXL versioning page
// (developer.cisco.com/web/axl-developer/axl-versioning: "AXL schemas will
// be available for two major Unified CM release cycles").
var axlDefaultVersions = []string{"12.0", "12.5", "14.0"}

// Tomcat's error pages: HTTP 503 while AXL throttles, 599 for a schema
// version the node does not take, 401 for a bad login, 404 for another
// path.
//
// Source: for 503, Cisco's AXL developer guide, "Data Throttling and
// Performance" ("AXL may reject new write requests with a '503: Service
// Unavailable' error message"); for 599, third-party AXL clients' tests,
// which record the page "HTTP Status 599 - Incorrect axl version.
// Supported axl versions are 12.x, 14.0 and 15.0" (no Cisco document
// shows it).
//
// No public source: for the HTML around them, the 401 and 404 pages and
// the 401's realm; the simulator prints Tomcat's plain form, and kaudit
// reads only the status and, for 599, the list of versions.
const (
	axlErrorPageFormat   = "<html><head><title>Apache Tomcat - Error report</title></head><body><h1>HTTP Status %d - %s</h1></body></html>"
	axlThrottledText     = "Service Unavailable"
	axlBadVersionFormat  = "Incorrect axl version. Supported axl versions are %s"
	axlUnauthorizedText  = "Unauthorized"
	axlNotFoundText      = "Not Found"
	axlBasicRealm        = `Basic realm="Cisco AXL"`
	axlVersionListFormat = "%s and %s"
)
