package value

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update .golden files")

// readPurchases adds testdata/purchases.csv to b.
func readPurchases(t *testing.T, b *Builder) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "purchases.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fs := strings.Split(line, ",")
		at, err := time.Parse("2006-01-02 15:04:05", fs[1])
		if err != nil {
			t.Fatal(err)
		}
		v := math.NaN()
		if fs[2] != "" {
			v, _ = strconv.ParseFloat(fs[2], 64)
		}
		if err := b.Add(fs[0], at, v); err != nil {
			t.Fatal(err)
		}
	}
}

// formatSummary prints a summary as a table, one customer a line.
func formatSummary(s *Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "unit %s, end %s", s.Unit, s.End.Format("2006-01-02"))
	if s.FrequencyHoldout != nil {
		fmt.Fprintf(&b, ", holdout to %s (%g), new in holdout %d", s.HoldoutEnd.Format("2006-01-02"), s.Holdout, s.NewInHoldout)
	}
	fmt.Fprintf(&b, ", amounts %v\nid x t_x T monetary", s.HasAmounts)
	if s.FrequencyHoldout != nil {
		b.WriteString(" x_holdout monetary_holdout")
	}
	b.WriteString("\n")
	for i, id := range s.IDs {
		fmt.Fprintf(&b, "%s %g %.4f %.4f %.4f", id, s.Frequency[i], s.Recency[i], s.T[i], s.Monetary[i])
		if s.FrequencyHoldout != nil {
			fmt.Fprintf(&b, " %g %.4f", s.FrequencyHoldout[i], s.MonetaryHoldout[i])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestSummaryGolden summarises the hand-made log in days and weeks, with
// and without a calibration period.
func TestSummaryGolden(t *testing.T) {
	end := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	for _, unit := range []Unit{Days, Weeks} {
		b := NewBuilder(SummaryOptions{Unit: unit, ObservationEnd: end})
		readPurchases(t, b)
		s, err := b.Summary()
		if err != nil {
			t.Fatal(err)
		}
		c, err := b.Calibration(time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "summary-"+unit.String(), formatSummary(s)+"\n"+formatSummary(c))
	}
}

// TestSummaryHand checks the hand-made log's customer a by hand.
func TestSummaryHand(t *testing.T) {
	b := NewBuilder(SummaryOptions{ObservationEnd: time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)})
	readPurchases(t, b)
	s, err := b.Calibration(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// a bought on Jan 1 (twice: 15), Jan 15 (20), Feb 20 (30); Mar 15 (50)
	// is in the holdout period.
	i := slices.Index(s.IDs, "a")
	got := []float64{s.Frequency[i], s.Recency[i], s.T[i], s.Monetary[i], s.FrequencyHoldout[i], s.MonetaryHoldout[i], s.Holdout}
	want := []float64{2, 50, 59, 25, 1, 50, 31}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("customer a (-want +got):\n%s", diff)
	}
	if s.NewInHoldout != 1 || slices.Contains(s.IDs, "z") {
		t.Errorf("z bought only in the holdout period: NewInHoldout %d, ids %v", s.NewInHoldout, s.IDs)
	}
}

func TestSummaryErrors(t *testing.T) {
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	b := NewBuilder(SummaryOptions{})
	if _, err := b.Summary(); err != ErrNoPurchases {
		t.Errorf("empty: %v", err)
	}
	for _, tt := range []struct {
		user   string
		at     time.Time
		amount float64
		want   string
	}{
		{"", day, 1, "without a customer id"},
		{"u", day, -1, "amount -1 is not a non-negative number"},
		{"u", day, math.Inf(1), "amount +Inf"},
		{"u", time.Date(10000, 1, 2, 0, 0, 0, 0, time.UTC), 1, "outside years 1-9999"},
	} {
		if err := b.Add(tt.user, tt.at, tt.amount); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Add(%q, %v, %g) = %v, want %q", tt.user, tt.at, tt.amount, err, tt.want)
		}
	}
	b.Add("u", day, 1)
	b.Add("u", day.AddDate(0, 0, 5), 1)
	if _, err := b.Calibration(day.AddDate(0, 0, 5)); err == nil || !strings.Contains(err.Error(), "leaves no holdout period") {
		t.Errorf("calibration at the end: %v", err)
	}
	if _, err := b.Calibration(day.AddDate(0, 0, -1)); err == nil || !strings.Contains(err.Error(), "no customer bought on or before the calibration end 2023-12-31") {
		t.Errorf("calibration before the data: %v", err)
	}
	// No amounts at all: NaN monetary values, HasAmounts false.
	nb := NewBuilder(SummaryOptions{})
	nb.Add("u", day, math.NaN())
	nb.Add("u", day.AddDate(0, 0, 3), math.NaN())
	s, _ := nb.Summary()
	if s.HasAmounts || !math.IsNaN(s.Monetary[0]) {
		t.Errorf("no amounts: HasAmounts %v, monetary %g", s.HasAmounts, s.Monetary[0])
	}
}

// FuzzSummary adds random purchases in a random order and checks the
// summary's invariants and that the order of the rows does not matter.
func FuzzSummary(f *testing.F) {
	f.Add(uint64(1), uint8(20), uint16(100), int16(50))
	f.Add(uint64(7), uint8(1), uint16(3), int16(-1))
	f.Add(uint64(99), uint8(200), uint16(2000), int16(700))
	f.Fuzz(func(t *testing.T, seed uint64, users uint8, rows uint16, cal int16) {
		rnd := rand.New(rand.NewPCG(seed, 3))
		type row struct {
			user string
			at   time.Time
			v    float64
		}
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		var rs []row
		for range int(rows) {
			u := "u" + strconv.Itoa(rnd.IntN(int(users)+1))
			at := base.Add(time.Duration(rnd.Int64N(800*24*3600)) * time.Second)
			v := float64(rnd.IntN(5000)) / 100
			if rnd.IntN(10) == 0 {
				v = math.NaN()
			}
			rs = append(rs, row{u, at, v})
		}
		summarise := func(rs []row) (*Summary, *Summary, error, error) {
			b := NewBuilder(SummaryOptions{Unit: Unit(seed % 2)})
			for _, r := range rs {
				if err := b.Add(r.user, r.at, r.v); err != nil {
					t.Fatal(err)
				}
			}
			s, err := b.Summary()
			c, cerr := b.Calibration(base.AddDate(0, 0, int(cal)))
			return s, c, err, cerr
		}
		s, c, err, cerr := summarise(rs)
		if len(rs) == 0 {
			if err != ErrNoPurchases {
				t.Fatalf("no rows: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, sum := range []*Summary{s, c} {
			if sum == nil {
				continue
			}
			if !slices.IsSorted(sum.IDs) {
				t.Fatal("ids not sorted")
			}
			for i := range sum.IDs {
				x, tx, T, m := sum.Frequency[i], sum.Recency[i], sum.T[i], sum.Monetary[i]
				if x < 0 || x != math.Trunc(x) || tx < 0 || tx > T || (x == 0 && tx != 0) || m < 0 || math.IsNaN(m) != !sum.HasAmounts {
					t.Fatalf("customer %s: x %g, t_x %g, T %g, monetary %g", sum.IDs[i], x, tx, T, m)
				}
				if x > tx*sum.Unit.Days() {
					t.Fatalf("customer %s: %g repeat days within %g units", sum.IDs[i], x, tx)
				}
			}
			if err := checkSummary(sum); err != nil {
				t.Fatal(err)
			}
		}
		if c != nil {
			if c.Len()+c.NewInHoldout != s.Len() {
				t.Fatalf("calibration %d + new in holdout %d customers, whole period %d", c.Len(), c.NewInHoldout, s.Len())
			}
		} else if cerr == nil {
			t.Fatal("no calibration summary and no error")
		}
		// Any order of the rows gives the same summaries.
		rnd.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
		s2, c2, _, _ := summarise(rs)
		if formatSummary(s) != formatSummary(s2) {
			t.Fatalf("shuffled rows give another summary:\n%s\n%s", formatSummary(s), formatSummary(s2))
		}
		if (c == nil) != (c2 == nil) || (c != nil && formatSummary(c) != formatSummary(c2)) {
			t.Fatal("shuffled rows give another calibration summary")
		}
	})
}
