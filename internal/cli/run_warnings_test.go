package cli

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/persona-seg/persona/pipeline"
)

// TestRunSegmentWarnings runs persona run on three small tables, each made
// to trip one of the segment warnings of the summary, and checks that the
// run says it (and that a fourth table, of clear groups, trips none):
//   - a third of the customers never ordered: with k = 2 they are a segment
//     of their own (with a buyer or two), set apart by the data they lack;
//   - 5 of 100 customers earn twenty times the others: with k = 2 the rest
//     is one segment of 95% (a table of one attribute: the report's map
//     has one dimension);
//   - five plans and nothing else: single linkage merges the plans all at
//     one height, so --k 3 cannot be cut and gives one segment.
func TestRunSegmentWarnings(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(15, 1))
	write := func(name string, lines func(b *strings.Builder)) {
		t.Helper()
		var b strings.Builder
		lines(&b)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("buyers.csv", func(b *strings.Builder) {
		b.WriteString("id,age\n")
		for i := range 90 {
			fmt.Fprintf(b, "U%03d,%d\n", i, 27+rng.IntN(7))
		}
	})
	write("orders.csv", func(b *strings.Builder) {
		b.WriteString("customer,order,date,sku,qty,price\n")
		o := 0
		for i := range 60 { // U060..U089 never order
			for j := range 3 + rng.IntN(3) {
				o++
				fmt.Fprintf(b, "U%03d,O%d,2024-0%d-%02d,S%d,%d,%.2f\n", i, o, 1+j%5, 10+rng.IntN(15), 1+rng.IntN(5), 1+rng.IntN(3), 10+5*rng.Float64())
			}
		}
	})
	write("incomes.csv", func(b *strings.Builder) {
		b.WriteString("id,income\n")
		for i := range 100 {
			v := 50 + 3*rng.NormFloat64()
			if i < 5 {
				v = 1000 + 10*rng.NormFloat64()
			}
			fmt.Fprintf(b, "U%03d,%.1f\n", i, v)
		}
	})
	write("plans.csv", func(b *strings.Builder) {
		b.WriteString("id,plan\n")
		for i := range 100 {
			fmt.Fprintf(b, "U%03d,%c\n", i, "abcde"[i%5])
		}
	})
	write("groups.csv", func(b *strings.Builder) {
		b.WriteString("id,income,age\n")
		for i := range 120 {
			g := float64(i % 3)
			fmt.Fprintf(b, "U%03d,%.1f,%.1f\n", i, 20+30*g+2*rng.NormFloat64(), 25+15*g+2*rng.NormFloat64())
		}
	})
	users := func(file, attrs string) string {
		return fmt.Sprintf("users:\n  path: %s\n  columns: {user_id: id}\n  attributes:\n%s", file, attrs)
	}
	tests := []struct {
		name   string
		config string
		args   []string
		want   string // a part of the one segment warning
	}{
		{
			name: "never bought",
			config: "as_of: 2024-07-01\n" + users("buyers.csv", "    age: numeric\n") +
				"transactions:\n  path: orders.csv\n  columns: {user_id: customer, order_id: order, timestamp: date, product_id: sku, quantity: qty, unit_price: price}\n",
			args: []string{"--k", "2", "--algorithm", "kmeans"},
			want: "users who never bought (no order in transactions: ",
		},
		{
			name:   "one segment of 95%",
			config: users("incomes.csv", "    income: numeric\n"),
			args:   []string{"--k", "2", "--algorithm", "kmeans"},
			want:   "holds 95% of the users",
		},
		{
			name:   "single linkage ties",
			config: users("plans.csv", "    plan: categorical\n"),
			args:   []string{"--k", "3", "--algorithm", "hierarchical", "--linkage", "single", "--pca", "-1"},
			want:   "k = 3 gave only 1 segment(s): merges tie at the cut, so no cut has exactly 3",
		},
		{
			name:   "clear groups",
			config: users("groups.csv", "    income: numeric\n    age: numeric\n"),
			args:   []string{"--k", "3", "--algorithm", "kmeans"},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := filepath.Join(dir, fmt.Sprintf("persona-%d.yaml", i))
			if err := os.WriteFile(config, []byte(tt.config), 0o644); err != nil {
				t.Fatal(err)
			}
			f, stdout, errOut := testFactory()
			args := append([]string{"run", "-c", config, "-o", filepath.Join(dir, fmt.Sprintf("out-%d", i)), "--json"}, tt.args...)
			if code := Run(f, args); code != ExitOK {
				t.Fatalf("persona %s: exit %d: %s", strings.Join(args, " "), code, errOut)
			}
			var sum pipeline.Summary
			if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
				t.Fatal(err)
			}
			var segs []string // the warnings about segments, not the value models'
			for _, w := range sum.Warnings {
				if strings.HasPrefix(w, "segment ") || strings.HasPrefix(w, "k = ") {
					segs = append(segs, w)
				}
			}
			switch {
			case tt.want == "" && len(segs) > 0:
				t.Errorf("warnings %q, want none about the segments (sizes %v)", segs, sum.Sizes)
			case tt.want != "" && (len(segs) != 1 || !strings.Contains(segs[0], tt.want)):
				t.Errorf("warnings %q (sizes %v), want one saying %q", segs, sum.Sizes, tt.want)
			}
		})
	}
}
