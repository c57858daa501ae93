package profile

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// trait is a feature of a hand-made segment: its z-score against the
// base and Cohen's d against the rest.
type trait struct {
	feature string
	z, d    float64
}

// segWith is a segment with the given features, most distinctive first
// as listed.
func segWith(id int, ts ...trait) Segment {
	s := Segment{ID: id}
	for _, t := range ts {
		s.Features = append(s.Features, FeatureStat{Feature: t.feature, Z: t.z, D: t.d, Mean: 0.6, Median: 1})
	}
	return s
}

func name(segs []Segment, keep map[int]Previous) []Segment {
	nameSegments(&Report{Segments: segs}, keep, nil)
	return segs
}

func namesOf(segs []Segment) []string {
	var out []string
	for _, s := range segs {
		out = append(out, s.Name)
	}
	return out
}

var loyalZ = trait{"frequency", 0.4, 0.1}

func TestNamesKept(t *testing.T) {
	segs := []Segment{
		segWith(0, loyalZ, trait{"spend_share_books", 1, 1}),
		segWith(1, loyalZ, trait{"spend_share_books", 1, 1}, trait{"share_night", 1, 0.9}),
	}
	// Segment 1 keeps the name segment 0 would get (its standing and its
	// label still hold); segment 0 must then take another.
	name(segs, map[int]Previous{1: {Name: "loyal — books"}})
	if segs[1].Name != "loyal — books" || segs[1].Previous != "loyal — books" {
		t.Errorf("kept name = %q (previous %q)", segs[1].Name, segs[1].Previous)
	}
	if segs[0].Name == segs[1].Name {
		t.Errorf("both segments are named %q", segs[0].Name)
	}
	if segs[1].Standing != StandingLoyal {
		t.Errorf("standing of a segment with a kept name = %q, want it recomputed (loyal)", segs[1].Standing)
	}
}

// TestStaleNamesRenamed: a re-run into the same folder kept the names
// "occasional — via 2, 1-based" whose traits had changed, without a word.
// A kept id whose standing or top labels changed gets its new name, and
// the old one is recorded.
func TestStaleNamesRenamed(t *testing.T) {
	tests := []struct {
		name     string
		prev     Previous
		seg      Segment
		want     string
		previous string
	}{
		{"traits changed", Previous{Name: "occasional — via 2, 1-based"},
			segWith(3, trait{"frequency", 0, 0}, trait{"share_night", 1, 1.2}, trait{"age", 1, 0.8}),
			"occasional — night owls, older", "occasional — via 2, 1-based"},
		{"standing changed", Previous{Name: "occasional — night owls, older"},
			segWith(3, trait{"frequency", 0.6, 0.7}, trait{"share_night", 1, 1.2}, trait{"age", 1, 0.8}),
			"loyal — night owls, older", "occasional — night owls, older"},
		{"same standing, labels still on top: kept", Previous{Name: "loyal — older, night owls"},
			segWith(3, trait{"frequency", 0.6, 0.7}, trait{"share_night", 1, 1.2}, trait{"age", 1, 0.8}),
			"loyal — older, night owls", "loyal — older, night owls"},
		{"a name of labels alone, from segments.csv only: made afresh", Previous{Name: "urban high-income users"},
			Segment{ID: 3, Features: []FeatureStat{{Feature: "income", Z: 1, D: 1.5}, {Feature: "area_urban", Mean: 0.9, Z: 1, D: 1.2}}},
			"high-income urban users", "urban high-income users"},
		{"version 2 name with a segment number: made afresh", Previous{Name: "loyal — older, night owls (segment 3)"},
			segWith(3, trait{"frequency", 0.6, 0.7}, trait{"share_night", 1, 1.2}, trait{"age", 1, 0.8}),
			"loyal — night owls, older", "loyal — older, night owls (segment 3)"},
		{"labels given explicitly", Previous{Name: "high-income urban users", Standing: "", Labels: []string{"high-income", "urban"}},
			Segment{ID: 3, Features: []FeatureStat{{Feature: "income", Z: 1, D: 1.5}, {Feature: "area_urban", Mean: 0.9, Z: 1, D: 1.2}}},
			"high-income urban users", "high-income urban users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs := []Segment{tt.seg}
			cols := map[string]Column{
				"income":     {Kind: KindNumeric, Attribute: "income"},
				"area_urban": {Kind: KindCategorical, Attribute: "area", Level: "urban"},
			}
			nameSegments(&Report{Segments: segs}, map[int]Previous{3: tt.prev}, cols)
			if segs[0].Name != tt.want || segs[0].Previous != tt.previous {
				t.Errorf("name %q (previous %q), want %q (previous %q)", segs[0].Name, segs[0].Previous, tt.want, tt.previous)
			}
		})
	}
}

// TestNamesAreUnique: names never end in "(segment 3)"; the next most
// distinctive trait separates them, and every segment of a clash gets it.
func TestNamesAreUnique(t *testing.T) {
	segs := []Segment{
		segWith(0, loyalZ, trait{"spend_share_books", 1, 1}, trait{"share_night", 1, 0.9}, trait{"weekend_share", 1, 0.5}),
		segWith(1, loyalZ, trait{"spend_share_books", 1, 1}, trait{"share_night", 1, 0.9}, trait{"device_share_mobile", 1, 0.5}),
		segWith(2, loyalZ, trait{"spend_share_books", 1, 1}, trait{"share_night", 1, 0.9}, trait{"share_evening", -1, -0.1}),
		// Same labels, nothing else to tell: the largest difference from
		// its twin names it.
		segWith(3, trait{"frequency", 0.4, 0.1}, trait{"spend_share_toys", 1, 1}),
		segWith(4, trait{"frequency", 0.9, 0.1}, trait{"spend_share_toys", 1, 1}),
	}
	name(segs, nil)
	want := []string{
		"loyal — books, night owls, weekend shoppers",
		"loyal — books, night owls, mobile-first",
		"loyal — books, night owls", // its third label ("share evening" low) has none
		"loyal — toys",
		"loyal — toys, higher orders",
	}
	if diff := cmp.Diff(want, namesOf(segs)); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	for _, s := range segs {
		if len(s.Actions) != 3 {
			t.Errorf("segment %d has %d actions, want marketing, service and recommendations", s.ID, len(s.Actions))
		}
		if strings.Contains(s.Name, "(segment") {
			t.Errorf("segment %d is named %q", s.ID, s.Name)
		}
	}
}

func TestNamesDistinctRandom(t *testing.T) {
	// Many segments with few possible standings and traits: names must
	// still be distinct, and none may carry a segment number.
	feats := []string{"frequency", "monetary", "recency_days", "social_posts", "price_sensitivity", "signup_tenure_days",
		"spend_share_books", "share_night", "weekend_share", "age", "device_share_mobile"}
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 50; trial++ {
		segs := make([]Segment, 12)
		for i := range segs {
			var ts []trait
			for _, f := range feats {
				if rng.IntN(3) > 0 {
					ts = append(ts, trait{f, float64(rng.IntN(5)-2) / 2, float64(rng.IntN(5)-2) / 2})
				}
			}
			segs[i] = segWith(i, ts...)
		}
		name(segs, nil)
		seen := map[string]int{}
		for _, s := range segs {
			if j, dup := seen[s.Name]; dup {
				t.Fatalf("trial %d: segments %d and %d are both named %q", trial, j, s.ID, s.Name)
			}
			if strings.Contains(s.Name, "(segment") {
				t.Fatalf("trial %d: segment %d is named %q", trial, s.ID, s.Name)
			}
			seen[s.Name] = s.ID
		}
	}
}

func TestNameSkipsRepeats(t *testing.T) {
	tests := []struct {
		name string
		seg  Segment
		want string
	}{
		{"same meaning twice",
			segWith(0, loyalZ, trait{"recency_days", -1, -1}, trait{"days_since_last_activity", -1, -1}, trait{"purchase_tenure_days", 1, 1}),
			"loyal — recent buyers, long-standing"},
		{"spend and browsing of one category",
			segWith(0, trait{"signup_tenure_days", -2, -0.1}, trait{"spend_share_sports", 2, 2}, trait{"affinity_sports", 2, 2}, trait{"share_night", 1, 1}),
			"promising new — sports, night owls"},
		{"one order is not category loyalty",
			segWith(0, trait{"signup_tenure_days", -2, -0.1}, trait{"frequency", -0.8, -0.1}, trait{"loyalty_hhi", 1, 1.2},
				trait{"share_afternoon", 1, 1}, trait{"acquisition_channel_paid_search", 1, 0.9}),
			"promising new — daytime users, via paid search"},
		{"no contradiction",
			segWith(0, trait{"frequency", -0.2, -0.1}, trait{"days_since_last_activity", 0.5, 1}, trait{"days_since_last_event", -0.5, -0.6}, trait{"age", 1, 0.5}),
			"occasional — inactive, older"},
		{"no categories to be loyal to",
			segWith(0, loyalZ, trait{"loyalty_hhi", 0.2, 1.2}, trait{"share_night", 1, 1}),
			"loyal — night owls"},
		{"categories to be loyal to",
			segWith(0, loyalZ, trait{"loyalty_hhi", 0.2, 1.2}, trait{"distinct_categories", -0.5, -0.3}, trait{"share_night", 1, 1}),
			"loyal — category loyal, night owls"},
		{"label that repeats the standing",
			segWith(0, trait{"price_sensitivity", 1.5, 0.1}, trait{"discount_share", 2, 2}, trait{"count_search", 1, 1}, trait{"share_afternoon", 1, 1}),
			"bargain hunters — searchers, daytime users"},
		{"label that contradicts the standing",
			segWith(0, trait{"days_since_last_activity", 2, 0.1}, trait{"frequency", -1, -0.1}, trait{"days_since_last_event", -1, -1}, trait{"age", 1, 1}),
			"hibernating — older"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs := name([]Segment{tt.seg}, nil)
			if segs[0].Name != tt.want {
				t.Errorf("name = %q, want %q", segs[0].Name, tt.want)
			}
		})
	}
}

// TestMajority: a level names a segment only when most of the segment has
// it ("urban" at 35% would mislead), and "rarely" needs under a quarter.
func TestMajority(t *testing.T) {
	cols := map[string]Column{
		"area_urban": {Kind: KindCategorical, Attribute: "area", Level: "urban"},
		"partner":    {Kind: KindBoolean, Attribute: "partner", Level: "true"},
		"income":     {Kind: KindNumeric, Attribute: "income"},
	}
	tests := []struct {
		name           string
		urban, partner float64 // shares in the segment
		dUrban, dPart  float64
		want           string
	}{
		{"most are urban", 0.6, 0.5, 1.5, 0.1, "urban high-income users"},
		{"a third are urban", 0.35, 0.5, 1.5, 0.1, "high-income users"},
		{"few have a partner", 0.6, 0.1, 1.5, -1.2, "urban high-income users, rarely partner"},
		{"fewer have a partner, still many", 0.6, 0.4, 1.5, -1.2, "urban high-income users"},
		{"catalogue one-hot: mostly female at 40%", 0, 0, 0, 0, "high-income users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Segment{ID: 0, Features: []FeatureStat{
				{Feature: "area_urban", Mean: tt.urban, D: tt.dUrban},
				{Feature: "income", Mean: 90, D: 1.3},
				{Feature: "partner", Mean: tt.partner, D: tt.dPart},
			}}
			if tt.name == "catalogue one-hot: mostly female at 40%" {
				s.Features[0] = FeatureStat{Feature: "gender_female", Mean: 0.4, D: 1.5}
			}
			segs := []Segment{s}
			nameSegments(&Report{Segments: segs}, nil, cols)
			if segs[0].Name != tt.want {
				t.Errorf("name = %q, want %q", segs[0].Name, tt.want)
			}
		})
	}
}
