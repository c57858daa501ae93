package recommend

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// handBaskets: six baskets of four products; the similarities worked out
// by hand are sim(A,B) = 3/√(4·4) = 0.75, sim(A,C) = sim(B,C) = 1/√8,
// sim(A,D) = sim(B,D) = 1/√4 = 0.5, sim(C,D) = 0. Basket b5 holds one
// product and counts for popularity only.
func handBaskets() ([]Purchase, map[string]int) {
	day := func(d int) time.Time { return time.Date(2024, 1, d, 12, 0, 0, 0, time.UTC) }
	var ps []Purchase
	add := func(user, basket string, d int, products ...string) {
		for _, p := range products {
			ps = append(ps, Purchase{User: user, Product: p, Basket: basket, Time: day(d)})
		}
	}
	add("u1", "b1", 1, "A", "B")
	add("u1", "b2", 2, "A", "C")
	add("u2", "b3", 3, "A", "B")
	add("u3", "b4", 4, "B", "C")
	add("u4", "b5", 5, "D")
	add("u5", "b6", 6, "A", "B", "D")
	seg := map[string]int{"u1": 0, "u2": 0, "u3": 1, "u4": 1, "u5": 1, "u6": 1}
	return ps, seg
}

func TestRecommendHandMade(t *testing.T) {
	ps, seg := handBaskets()
	m, err := Fit(context.Background(), ps, seg, Options{SegmentWeight: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	r2 := 1 / math.Sqrt(8)
	tests := []struct {
		name   string
		method Method
		user   string
		n      int
		want   []Item
	}{
		// u2 bought A and B: co(C) = 2/√8, co(D) = 1 → normalised C 0.707, D 1.
		{"co-occurrence alone", CoOccurrence, "u2", 5, []Item{{"D", 1}, {"C", 2 * r2}}},
		// Segment 0 (u1, u2) bought A 1, B 1, C 0.5, D 0: the segment's
		// taste lifts C above D.
		{"blend", Blend, "u2", 5, []Item{{"C", 0.5*2*r2 + 0.5*0.5}, {"D", 0.5}}},
		{"blend, n = 1", Blend, "u2", 1, []Item{{"C", 0.5*2*r2 + 0.5*0.5}}},
		// u6 has no history: segment 1 popularity (B and D 2/3, A and C
		// 1/3), ties broken by global popularity (B 0.8, D 0.4, A 0.6, C 0.4).
		{"no history: segment best sellers", Blend, "u6", 4, []Item{{"B", 0.5}, {"D", 0.5}, {"A", 0.25}, {"C", 0.25}}},
		// Unknown user: global popularity B 0.8, A 0.6, C 0.4, D 0.4 (id order).
		{"unknown user: global best sellers", Blend, "zz", 4, []Item{{"B", 0.5}, {"A", 0.375}, {"C", 0.25}, {"D", 0.25}}},
		{"global popularity skips bought products", GlobalPopularity, "u3", 4, []Item{{"A", 0.6 / 0.8}, {"D", 0.4 / 0.8}}},
		{"segment popularity", SegmentPopularity, "u1", 4, []Item{{"D", 0}}},
		{"n = 0", Blend, "u2", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.RecommendBy(tt.method, tt.user, tt.n)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-6)); diff != "" {
				t.Errorf("RecommendBy(%v, %q, %d) (-want +got):\n%s", tt.method, tt.user, tt.n, diff)
			}
		})
	}
	if got := m.Basis("u6"); got != (Basis{Products: 0, Segment: 1, HasSegment: true}) {
		t.Errorf("Basis(u6) = %+v", got)
	}
}

func TestFitErrors(t *testing.T) {
	tests := []struct {
		name string
		ps   []Purchase
		opts Options
		want string
	}{
		{"no purchases", nil, Options{}, "no purchases"},
		{"empty product", []Purchase{{User: "u"}}, Options{}, "empty user or product"},
		{"segment weight", []Purchase{{User: "u", Product: "p"}}, Options{SegmentWeight: 1.5}, "segment weight"},
		{"max basket", []Purchase{{User: "u", Product: "p"}}, Options{MaxBasket: 1}, "max basket"},
		{"neighbours", []Purchase{{User: "u", Product: "p"}}, Options{Neighbours: -1}, "neighbours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(context.Background(), tt.ps, nil, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ps, _ := handBaskets()
	if _, err := Fit(ctx, ps, nil, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Fit: err = %v", err)
	}
}

func TestMeasureHandMade(t *testing.T) {
	ps, seg := handBaskets()
	m, err := Fit(context.Background(), ps, seg, Options{SegmentWeight: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	// At k = 1, u2 gets C (a hit, 1 of its 2 new products) and u3 gets A
	// (a miss).
	test := map[string][]string{"u2": {"C", "D"}, "u3": {"Z"}}
	got, err := Measure(context.Background(), m, Blend, test, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := Score{Method: Blend, Name: "blend", Users: 2, HitRate: 0.5, Precision: 0.5, Recall: 0.25}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("Measure (-want +got):\n%s", diff)
	}
	if _, err := Measure(context.Background(), m, Blend, test, 0); err == nil {
		t.Error("k = 0: no error")
	}
}

func TestSplit(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	ps := []Purchase{
		{User: "u1", Product: "A", Time: at(1)},
		{User: "u1", Product: "B", Time: at(5)}, // new after the cut
		{User: "u1", Product: "A", Time: at(6)}, // bought before: not new
		{User: "u1", Product: "B", Time: at(7)}, // counted once
		{User: "u2", Product: "C", Time: at(5)}, // no history before the cut
		{User: "u3", Product: "C", Time: at(2)},
		{User: "u3", Product: "C", Time: at(3)}, // the cut day itself is test
	}
	train, test := Split(ps, at(3))
	if len(train) != 2 {
		t.Errorf("train has %d purchases, want 2", len(train))
	}
	if diff := cmp.Diff(map[string][]string{"u1": {"B"}}, test); diff != "" {
		t.Errorf("test (-want +got):\n%s", diff)
	}
}

func TestEvaluateErrors(t *testing.T) {
	ps, _ := handBaskets()
	if _, err := Evaluate(context.Background(), ps, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), nil, 10, Options{}); err == nil || !strings.Contains(err.Error(), "no purchase before") {
		t.Errorf("cut before the data: err = %v", err)
	}
	if _, err := Evaluate(context.Background(), ps, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), nil, 10, Options{}); err == nil || !strings.Contains(err.Error(), "no user bought") {
		t.Errorf("cut after the data: err = %v", err)
	}
}

func TestRFMSegments(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	ps := []Purchase{
		{User: "big", Product: "A", Basket: "1", Time: at(9), Value: 100},
		{User: "big", Product: "B", Basket: "2", Time: at(10), Value: 100},
		{User: "small", Product: "A", Basket: "3", Time: at(1), Value: 1},
	}
	seg := RFMSegments(ps, at(11))
	// Two buyers: big scores 1 + ⌊5·1/2⌋ = 3 on R, F and M (need
	// attention, group 5); small scores 1 (lost, group 10).
	if seg["big"] != 5 || seg["small"] != 10 {
		t.Errorf("segments = %v, want big in group 5 (need attention), small in 10 (lost)", seg)
	}
}

// TestRecommendMatchesReference checks RecommendBy against the first,
// map-and-sort version: the same items and bit-identical scores, for every
// method, users with and without history or segment, and several n.
func TestRecommendMatchesReference(t *testing.T) {
	hand, handSeg := handBaskets()
	synth, synthSeg := synthBaskets(300, 200, 3)
	// Some users lose their segment, and one segment has no buyer.
	for u := range synthSeg {
		if strings.HasSuffix(u, "7") {
			delete(synthSeg, u)
		}
	}
	synthSeg["nobody-bought"] = 99
	tests := []struct {
		name string
		ps   []Purchase
		seg  map[string]int
		opts Options
	}{
		{"hand made", hand, handSeg, Options{SegmentWeight: 0.5}},
		{"synthetic", synth, synthSeg, Options{}},
		{"synthetic, no segment weight", synth, synthSeg, Options{SegmentWeight: -1}},
		{"synthetic, few neighbours", synth, synthSeg, Options{Neighbours: 3, SegmentWeight: 0.3}},
		{"synthetic, no segments", synth, nil, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Fit(context.Background(), tt.ps, tt.seg, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			users := []string{"unknown"}
			for u := range m.history {
				users = append(users, u)
			}
			for u := range tt.seg {
				if _, ok := m.history[u]; !ok {
					users = append(users, u) // no history
				}
			}
			for _, method := range []Method{Blend, CoOccurrence, SegmentPopularity, GlobalPopularity} {
				for _, n := range []int{0, 1, 3, 10, 250} {
					for _, u := range users {
						want := referenceRecommendBy(m, method, u, n)
						got := m.RecommendBy(method, u, n)
						if diff := cmp.Diff(want, got); diff != "" {
							t.Fatalf("%v, user %s, n = %d (-reference +got):\n%s", method, u, n, diff)
						}
					}
				}
			}
		})
	}
}

// TestRecommendConcurrent calls Recommend from several goroutines at once
// (the model's scratch memory is shared through a pool): every list must
// be the one a lone call returns. Run with -race.
func TestRecommendConcurrent(t *testing.T) {
	ps, seg := synthBaskets(400, 200, 3)
	m, err := Fit(context.Background(), ps, seg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	users := make([]string, 0, len(seg)+1)
	for u := range seg {
		users = append(users, u)
	}
	users = append(users, "unknown")
	want := make([][]Item, len(users))
	for i, u := range users {
		want[i] = m.Recommend(u, 10)
	}
	const workers = 4
	got := make([][]Item, len(users))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(users); i += workers {
				got[i] = m.Recommend(users[i], 10)
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("concurrent lists differ (-alone +concurrent):\n%s", diff)
	}
}
