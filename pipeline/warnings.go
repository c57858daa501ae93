package pipeline

import (
	"fmt"

	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/profile"
)

// Thresholds of segmentWarnings.
const (
	// dominantShare is the share of users above which one segment is said
	// to hold nearly everyone.
	dominantShare = 0.9
	// absentShare is the share of a segment's users that must have no row
	// in a dataset for the segment to be called the users missing it (a
	// few of the others' nearest users often join such a segment: 30 who
	// never bought and one who bought once long ago).
	absentShare = 0.95
)

// presence names, per dataset, the feature that is 0 exactly for the users
// with nothing in it, and how the warning calls those users and what they
// lack.
var presence = []struct {
	feature, who, lack string
}{
	{features.Frequency, "never bought", "no order in transactions"},
	{features.Events, "have no events", "no row in events"},
	{features.SocialActions, "have no social activity", "no row in social"},
}

// segmentWarnings returns the warnings about the segments of a run: one
// segment holding more than dominantShare of the segmented users, and a
// segment made of the users who have nothing in a dataset (absentShare of
// its users or more, against fewer than half of the other users), which
// may be set apart by the missing data rather than by what they do. labels are
// the users' segment ids (−1 unsegmented), in the rows of tab.
func segmentWarnings(tab *features.Table, labels []int, segs []profile.Segment) []string {
	var out []string
	segmented := 0
	for _, l := range labels {
		if l >= 0 {
			segmented++
		}
	}
	var real []profile.Segment // the unsegmented group aside
	for _, s := range segs {
		if s.ID >= 0 && s.Size > 0 {
			real = append(real, s)
		}
	}
	if len(real) < 2 {
		return nil
	}
	name := func(s profile.Segment) string { return fmt.Sprintf("segment %d (%q)", s.ID, s.Name) }
	for _, s := range real {
		if share := float64(s.Size) / float64(segmented); share > dominantShare {
			out = append(out, fmt.Sprintf("%s holds %.0f%% of the users: the segmentation mostly sets a few users apart rather than dividing the base", name(s), 100*share))
		}
	}
	if tab == nil {
		return out
	}
	for _, p := range presence {
		j := tab.Col(p.feature)
		if j < 0 {
			continue
		}
		absent := map[int]int{} // segment id -> its users with nothing in the dataset
		total := 0
		for i, l := range labels {
			if l >= 0 && tab.X.At(i, j) == 0 {
				absent[l]++
				total++
			}
		}
		for _, s := range real {
			in := float64(absent[s.ID]) / float64(s.Size)
			others := segmented - s.Size
			outside := float64(total-absent[s.ID]) / float64(others)
			if in >= absentShare && outside < 0.5 {
				only := "only"
				if in < 1 {
					only = "nearly only"
				}
				out = append(out, fmt.Sprintf("%s is %s users who %s (%s: %.0f%% of its %d users, against %.0f%% of the others): it may be set apart by the data they lack rather than by what they do", name(s), only, p.who, p.lack, 100*in, s.Size, 100*outside))
			}
		}
	}
	return out
}
