// Package kaudit bundles the lab scenarios (testdata/labs) into the binary,
// so that `kaudit demo` works wherever kaudit is installed.
package kaudit

import "embed"

// Labs holds testdata/labs: one directory per lab in the offline layout.
//
//go:embed testdata/labs
var Labs embed.FS
