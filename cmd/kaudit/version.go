package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/internal/app"
)

// newVersionCmd prints what `kaudit --version` prints, and the build
// behind it (revision, toolchain, platform): what a bug report needs.
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kaudit's version, VCS revision and Go toolchain",
		Long: `version prints kaudit's version: the release version stamped into a release
build, else the module version the go command recorded (go install
…@v1.2.0, or a pseudo-version for a build in a git checkout), else the VCS
revision, else "dev"; then the revision, the Go toolchain and the platform.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), app.BuildDetails())
			return err
		},
	}
}
