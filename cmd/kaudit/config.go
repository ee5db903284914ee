package main

import (
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/rules"
)

// loadConfig reads policy.yaml into the rules' configuration.
func loadConfig(path string) (rules.Config, error) {
	p, err := app.LoadPolicy(path)
	if err != nil {
		return rules.Config{}, usageErr("%v", err)
	}
	return app.RulesConfig(p), nil
}
