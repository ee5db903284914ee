package main

import (
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/policy"
)

// loadPolicy reads policy.yaml (the defaults when path is "").
func loadPolicy(path string) (policy.Policy, error) {
	p, err := app.LoadPolicy(path)
	if err != nil {
		return p, usageErr("%v", err)
	}
	return p, nil
}
