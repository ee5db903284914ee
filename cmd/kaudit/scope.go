package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/store"
)

// auditScope is the scope an audit records (issue 14.2): the inventory by
// its absolute path, links resolved (offline: the directory), and the
// --limit expression. Runs are compared with the previous run of their
// own scope, so that a --limit run or another site's run in the same
// store never passes for what changed.
func auditScope(inventory, limit string) store.Scope {
	p, err := filepath.Abs(inventory)
	if err != nil {
		p = inventory
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return store.Scope{Inventory: p, Limit: strings.TrimSpace(limit)}
}

// sameScope reports whether two recorded runs audited the same thing:
// the same scope, or, for runs recorded before scopes were, the same
// source.
func sameScope(a, b *store.RunRecord) bool {
	if a.Scope.IsZero() || b.Scope.IsZero() {
		return a.Source == b.Source
	}
	return a.Scope == b.Scope
}

// runView reads run id as app.Compare sees it. Its facts are optional:
// without them only the findings are compared.
func runView(ctx context.Context, st *store.Store, id int64) (*app.RunView, *store.RunRecord, error) {
	rec, err := st.Run(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	v := &app.RunView{ID: id, Started: rec.Started, Findings: rec.Findings, Unverified: rec.Unverified, Devices: rec.Devices}
	v.Snap, _ = st.Snapshot(ctx, id)
	return v, rec, nil
}

// diffRuns compares run to with run from.
func diffRuns(ctx context.Context, st *store.Store, from, to int64) (*report.DiffSummary, error) {
	a, ra, err := runView(ctx, st, from)
	if err != nil {
		return nil, err
	}
	b, rb, err := runView(ctx, st, to)
	if err != nil {
		return nil, err
	}
	return app.Compare(a, b, sameScope(ra, rb)), nil
}

// diffPair picks the runs kaudit diff compares from its arguments: none,
// the latest run and the previous run of its scope; one (A), A and the
// latest run of A's scope; two, those.
func diffPair(ctx context.Context, st *store.Store, args []int64) (from, to int64, err error) {
	switch len(args) {
	case 2:
		return args[0], args[1], nil
	case 1:
		a, err := st.Run(ctx, args[0])
		if err != nil {
			return 0, 0, usageErr("%v", err)
		}
		last, err := st.Previous(ctx, a.Scope, a.Source, 0)
		if err != nil {
			return 0, 0, err
		}
		if last == a.ID {
			return 0, 0, usageErr("run #%d is the latest run of its scope (%s): name the run to compare it with", a.ID, scopeText(a))
		}
		return a.ID, last, nil
	}
	latest, err := st.Latest(ctx, 1)
	if err != nil {
		return 0, 0, err
	}
	if len(latest) == 0 {
		return 0, 0, usageErr("the store holds no run")
	}
	b, err := st.Run(ctx, latest[0])
	if err != nil {
		return 0, 0, usageErr("%v", err)
	}
	prev, err := st.Previous(ctx, b.Scope, b.Source, b.ID)
	if err != nil {
		return 0, 0, err
	}
	if prev == 0 {
		return 0, 0, usageErr("run #%d is the first run of its scope (%s): nothing to compare it with; kaudit diff A B compares any two runs", b.ID, scopeText(b))
	}
	return prev, b.ID, nil
}

// scopeText names a run's scope in messages.
func scopeText(r *store.RunRecord) string {
	if r.Scope.IsZero() {
		return r.Source
	}
	return fmt.Sprint(r.Scope)
}
