package pipeline

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/profile"
)

// compareTruth reads a CSV of user_id and a known group and sets the
// adjusted Rand index of the segments against it, and the cross-table of
// known groups by segment name, in sum. Users missing from the file are an
// error: the comparison would be meaningless.
func compareTruth(path string, ids []string, labels []int, prof *profile.Report, sum *Summary) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	truth := map[string]string{}
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(rec) < 2 {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("%s: line %d: want user_id and group, got %d field(s)", path, line, len(rec))
		}
		if first {
			first = false
			if rec[0] == "user_id" {
				continue
			}
		}
		truth[rec[0]] = rec[1]
	}
	groups := map[string]int{}
	var names []string
	for _, g := range truth {
		if _, ok := groups[g]; !ok {
			groups[g] = 0
			names = append(names, g)
		}
	}
	sort.Strings(names)
	for i, g := range names {
		groups[g] = i
	}
	t := make([]int, len(ids))
	segName := map[int]string{}
	for _, s := range prof.Segments {
		segName[s.ID] = s.Name
	}
	cross := map[string]map[string]int{}
	for i, id := range ids {
		g, ok := truth[id]
		if !ok {
			return fmt.Errorf("%s: user %q has no known group", path, id)
		}
		t[i] = groups[g]
		if cross[g] == nil {
			cross[g] = map[string]int{}
		}
		cross[g][segName[labels[i]]]++
	}
	ari, err := metrics.AdjustedRand(t, labels)
	if err != nil {
		return err
	}
	sum.ARIVsPlanted = &ari
	sum.PlantedVsSegments = cross
	return nil
}
