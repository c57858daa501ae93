package value

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/persona-seg/persona/synth"
)

// demoPurchases are the purchase lines of the demo generator's
// transactions: per line its customer (an index into ids), its day (since
// 1970-01-01) and its value. Few pointers, so that the collector's work
// on them does not count in the benchmarks.
type demoPurchases struct {
	ids    []string
	user   []int32
	day    []int32
	amount []float64
	end    time.Time
}

// loadDemo generates the demo data for users users once (seed 1) into
// $PERSONA_BENCH_DIR (default: the system's temp folder), keeps only its
// transactions.csv and reads the lines of positive quantity as package
// features' PurchaseDays values them: quantity × unit_price × (1 −
// discount), the generator's discount being a fraction.
func loadDemo(b *testing.B, users int) *demoPurchases {
	b.Helper()
	base := os.Getenv("PERSONA_BENCH_DIR")
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, fmt.Sprintf("persona-value-synth-%d", users))
	path := filepath.Join(dir, synth.TransactionsFile)
	if _, err := os.Stat(path); err != nil {
		if _, err := synth.Generate(context.Background(), dir, synth.Options{Users: users, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		for _, f := range []string{synth.UsersFile, synth.EventsFile, synth.SocialFile, synth.TruthFile} {
			os.Remove(filepath.Join(dir, f))
		}
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	d := &demoPurchases{end: time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)}
	sc := bufio.NewScanner(bufio.NewReaderSize(f, 1<<20))
	sc.Scan() // user_id,order_id,timestamp,product_id,category,quantity,unit_price,discount
	var last string
	for sc.Scan() {
		fs := bytes.Split(sc.Bytes(), []byte{','})
		if len(fs) != 8 {
			b.Fatalf("transactions line %q", sc.Text())
		}
		qty, err1 := strconv.ParseFloat(string(fs[5]), 64)
		price, err2 := strconv.ParseFloat(string(fs[6]), 64)
		disc, err3 := strconv.ParseFloat(string(fs[7]), 64)
		at, err4 := time.Parse(time.DateTime, string(fs[2]))
		if err := firstErr(err1, err2, err3, err4); err != nil {
			b.Fatal(err)
		}
		if qty <= 0 {
			continue // a return
		}
		if string(fs[0]) != last {
			last = string(fs[0])
			d.ids = append(d.ids, last)
		}
		d.user = append(d.user, int32(len(d.ids)-1))
		d.day = append(d.day, int32(at.Unix()/86400))
		d.amount = append(d.amount, math.Max(qty*price*(1-disc), 0))
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return d
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// summary summarises the purchases, in days, up to the demo's end.
func (d *demoPurchases) summary(b *testing.B) *Summary {
	bl := NewBuilder(SummaryOptions{ObservationEnd: d.end})
	for i, u := range d.user {
		if err := bl.Add(d.ids[u], time.Unix(int64(d.day[i])*86400, 0).UTC(), d.amount[i]); err != nil {
			b.Fatal(err)
		}
	}
	s, err := bl.Summary()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkDemo1M summarises, fits and scores the customers of the demo
// generator's transactions for 1,000,000 users, as persona value does
// after its query: the Builder, then Score with persona value's defaults
// (--model auto, 12 months, 1% a month). The first run generates the
// data (about a minute and 7 GB, kept: its transactions.csv, 0.9 GB).
// "cores" is the process's CPU time over the wall time.
func BenchmarkDemo1M(b *testing.B)        { benchDemo(b, 1_000_000, true, true) }
func BenchmarkDemoSummary1M(b *testing.B) { benchDemo(b, 1_000_000, true, false) }
func BenchmarkDemoScore1M(b *testing.B)   { benchDemo(b, 1_000_000, false, true) }
func BenchmarkDemo100k(b *testing.B)      { benchDemo(b, 100_000, true, true) }

func benchDemo(b *testing.B, users int, summarise, fit bool) {
	d := loadDemo(b, users)
	s := d.summary(b)
	var res *Result
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		if summarise {
			s = d.summary(b)
		}
		if fit {
			var err error
			if res, err = Score(context.Background(), s, nil, Options{Discount: 0.01}); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu = cpuSeconds() - cpu
	b.StopTimer()
	if fit && res.CLV == nil {
		b.Fatalf("no lifetime value: %q", res.Warnings)
	}
	b.ReportMetric(float64(s.Len()), "customers")
	b.ReportMetric(float64(len(d.user)), "lines")
	b.ReportMetric(cpu/b.Elapsed().Seconds(), "cores")
}
