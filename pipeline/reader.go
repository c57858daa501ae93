package pipeline

import (
	"context"
	"slices"
	"sort"

	"github.com/persona-seg/persona"
)

// OutReader returns a reader of st, the store of output folder dir, that
// counts as committed the run whose files dir shows even when st has not
// marked it yet: its writer died between the two steps of the commit, and
// the next process that writes dir will mark it (doc.go, # Recovery). So
// persona runs and serve agree with the folder's files. It writes nothing.
func OutReader(dir string, st persona.RunReader) persona.RunReader {
	return outReader{dir: dir, st: st}
}

type outReader struct {
	dir string
	st  persona.RunReader
}

// unmarked returns the run of dir's journal when the rule counts it
// committed and st holds it pending.
func (r outReader) unmarked(ctx context.Context) (persona.Run, bool, error) {
	cur := unmarked(r.dir)
	if cur == "" {
		return persona.Run{}, false, nil
	}
	pend, err := r.st.List(ctx, persona.RunFilter{Pending: true})
	if err != nil {
		return persona.Run{}, false, err
	}
	for _, p := range pend {
		if p.ID == cur {
			return p, true, nil
		}
	}
	return persona.Run{}, false, nil
}

func (r outReader) Latest(ctx context.Context) (string, error) {
	u, ok, err := r.unmarked(ctx)
	if err != nil {
		return "", err
	}
	if ok {
		return u.ID, nil // committed last: the folder's newest
	}
	return r.st.Latest(ctx)
}

func (r outReader) Load(ctx context.Context, id string) (*persona.Results, error) {
	return r.st.Load(ctx, id)
}

func (r outReader) List(ctx context.Context, f persona.RunFilter) ([]persona.Run, error) {
	runs, err := r.st.List(ctx, f)
	if err != nil {
		return nil, err
	}
	u, ok, err := r.unmarked(ctx)
	if err != nil || !ok {
		return runs, err
	}
	if f.Pending {
		return slices.DeleteFunc(runs, func(x persona.Run) bool { return x.ID == u.ID }), nil
	}
	runs = append(runs, u)
	sort.SliceStable(runs, func(i, j int) bool {
		if !runs[i].CreatedAt.Equal(runs[j].CreatedAt) {
			return runs[i].CreatedAt.After(runs[j].CreatedAt)
		}
		return runs[i].ID > runs[j].ID
	})
	return runs, nil
}
