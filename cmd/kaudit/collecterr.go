package main

import (
	"errors"

	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/report"
)

// collectErr gives the exit code of an error that stopped a live
// collection: a secret reference that cannot be resolved is an input
// error (exit 2), found before any device was dialled; anything else
// (cancelled, --save-raw not writable) left the audit incomplete (exit 3).
func collectErr(err error) error {
	var se *sshx.SecretsError
	if errors.As(err, &se) {
		return &exitError{code: report.ExitUsage, err: err}
	}
	return &exitError{code: report.ExitIncomplete, err: err}
}
