package synth

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
)

// personaStats are per-persona aggregates computed from the files alone.
type personaStats struct {
	users                 int
	events, orders, lines int
	social                int
	discSum               float64
	paid                  float64
	mobile                int
	hours                 [24]int
	weekend               int
	search, views, carts  int
	ageSum                float64
	tenureDays            float64
	email                 int
	// lastActive is the latest timestamp of any row per user.
	lastActive map[string]time.Time
	signup     map[string]time.Time
}

func (s *personaStats) peakHour() int {
	best := 0
	for h, n := range s.hours {
		if n > s.hours[best] {
			best = h
		}
	}
	return best
}

func collect(t *testing.T, d dataset) map[string]*personaStats {
	t.Helper()
	end := defaultEnd()
	st := map[string]*personaStats{}
	of := func(user string) *personaStats {
		p, ok := d.truth[user]
		if !ok {
			t.Fatalf("unknown user %s", user)
		}
		s := st[p]
		if s == nil {
			s = &personaStats{lastActive: map[string]time.Time{}, signup: map[string]time.Time{}}
			st[p] = s
		}
		return s
	}
	touch := func(s *personaStats, user, ts string) time.Time {
		tm, err := parseTS(ts)
		if err != nil {
			t.Fatal(err)
		}
		if tm.After(s.lastActive[user]) {
			s.lastActive[user] = tm
		}
		return tm
	}
	for _, row := range d.users {
		s := of(row[0])
		s.users++
		su, _ := parseDate(row[1])
		s.signup[row[0]] = su
		s.tenureDays += end.Sub(su).Hours() / 24
		y, _ := strconv.Atoi(row[2])
		s.ageSum += float64(end.Year() - y)
		if row[5] == "email" {
			s.email++
		}
	}
	for _, row := range d.events {
		s := of(row[0])
		tm := touch(s, row[0], row[1])
		s.events++
		s.hours[tm.Hour()]++
		if wd := tm.Weekday(); wd == time.Saturday || wd == time.Sunday {
			s.weekend++
		}
		if row[5] == "mobile" {
			s.mobile++
		}
		switch row[3] {
		case "search":
			s.search++
		case "product_view":
			s.views++
		case "add_to_cart":
			s.carts++
		}
	}
	orders := map[string]bool{}
	for _, row := range d.txns {
		s := of(row[0])
		touch(s, row[0], row[2])
		q, _ := strconv.Atoi(row[5])
		p, _ := strconv.ParseFloat(row[6], 64)
		disc, _ := strconv.ParseFloat(row[7], 64)
		s.paid += float64(q) * p * (1 - disc)
		if q < 0 {
			continue
		}
		s.lines++
		s.discSum += disc
		if !orders[row[1]] {
			orders[row[1]] = true
			s.orders++
		}
	}
	for _, row := range d.social {
		s := of(row[0])
		touch(s, row[0], row[1])
		s.social++
	}
	return st
}

// TestPlantedDifferences checks that the personas differ in the data the
// way the package documentation says.
func TestPlantedDifferences(t *testing.T) {
	dir, _ := generate(t, 4000, 3)
	st := collect(t, load(t, dir))
	end := defaultEnd()
	perUser := func(p string, n int) float64 { return float64(n) / float64(st[p].users) }
	share := func(n, of int) float64 { return float64(n) / float64(of) }
	core := []string{"champions", "bargain_hunters", "window_browsers", "lapsed", "new_users", "influencers"}

	tests := []struct {
		name  string
		check func() error
	}{
		{"bargain hunters get more discount than champions", func() error {
			b := st["bargain_hunters"].discSum / float64(st["bargain_hunters"].lines)
			c := st["champions"].discSum / float64(st["champions"].lines)
			if b < 0.2 || c > 0.05 {
				return fmt.Errorf("mean discount: bargain hunters %.3f (want >= 0.2), champions %.3f (want <= 0.05)", b, c)
			}
			return nil
		}},
		{"champions spend most per order", func() error {
			c := st["champions"].paid / float64(st["champions"].orders)
			for _, p := range core[1:] {
				if v := st[p].paid / float64(st[p].orders); v*1.5 > c {
					return fmt.Errorf("paid per order: champions %.2f, %s %.2f", c, p, v)
				}
			}
			return nil
		}},
		{"champions order 15-40 times", func() error {
			if v := perUser("champions", st["champions"].orders); v < 15 || v > 40 {
				return fmt.Errorf("champions: %.1f orders per user", v)
			}
			return nil
		}},
		{"window browsers order least", func() error {
			b := perUser("window_browsers", st["window_browsers"].orders)
			for _, p := range core {
				if v := perUser(p, st[p].orders); p != "window_browsers" && v <= b {
					return fmt.Errorf("orders per user: window_browsers %.2f, %s %.2f", b, p, v)
				}
			}
			if b > 1 {
				return fmt.Errorf("window_browsers: %.2f orders per user, want <= 1", b)
			}
			return nil
		}},
		{"window browsers rarely add to cart", func() error {
			b := share(st["window_browsers"].carts, st["window_browsers"].views)
			for _, p := range core {
				if v := share(st[p].carts, st[p].views); p != "window_browsers" && v <= 2*b {
					return fmt.Errorf("add_to_cart per product_view: window_browsers %.3f, %s %.3f", b, p, v)
				}
			}
			return nil
		}},
		{"lapsed users are inactive for 200+ days", func() error {
			s := st["lapsed"]
			if len(s.lastActive) < s.users*9/10 {
				return fmt.Errorf("only %d of %d lapsed users have any activity", len(s.lastActive), s.users)
			}
			for u, last := range s.lastActive {
				if d := end.Sub(last).Hours() / 24; d < 200 {
					return fmt.Errorf("lapsed user %s was active %.0f days before End", u, d)
				}
			}
			if v := perUser("lapsed", s.orders); v < 4 {
				return fmt.Errorf("lapsed: %.1f orders per user, want >= 4", v)
			}
			return nil
		}},
		{"new users signed up in the last 45 days", func() error {
			for u, su := range st["new_users"].signup {
				if d := end.Sub(su).Hours() / 24; d > 45 {
					return fmt.Errorf("new user %s signed up %.0f days before End", u, d)
				}
			}
			for _, p := range core {
				for u, su := range st[p].signup {
					if p != "new_users" && end.Sub(su).Hours()/24 <= 45 {
						return fmt.Errorf("%s user %s signed up within 45 days", p, u)
					}
				}
			}
			return nil
		}},
		{"influencers are the most social", func() error {
			i := perUser("influencers", st["influencers"].social)
			for _, p := range core {
				if v := perUser(p, st[p].social); p != "influencers" && 5*v > i {
					return fmt.Errorf("social rows per user: influencers %.1f, %s %.1f", i, p, v)
				}
			}
			return nil
		}},
		{"bargain hunters search most and shop at weekends", func() error {
			b := st["bargain_hunters"]
			for _, p := range core {
				if p == "bargain_hunters" {
					continue
				}
				if share(st[p].search, st[p].events) >= share(b.search, b.events) {
					return fmt.Errorf("search share: bargain_hunters %.3f, %s %.3f", share(b.search, b.events), p, share(st[p].search, st[p].events))
				}
				if share(st[p].weekend, st[p].events) >= share(b.weekend, b.events) {
					return fmt.Errorf("weekend share: bargain_hunters %.3f, %s %.3f", share(b.weekend, b.events), p, share(st[p].weekend, st[p].events))
				}
			}
			return nil
		}},
		{"hour-of-day peaks differ", func() error {
			want := map[string][]int{
				"champions":       {18, 19, 20, 21},
				"bargain_hunters": {11, 12, 13},
				"window_browsers": {23, 0, 1, 2},
				"lapsed":          {7, 8, 9, 10},
				"influencers":     {20, 21, 22, 23},
			}
			seen := map[int]string{}
			for p, hs := range want {
				h := st[p].peakHour()
				if !slices.Contains(hs, h) {
					return fmt.Errorf("%s: peak hour %d, want one of %v", p, h, hs)
				}
				if q, ok := seen[h]; ok {
					return fmt.Errorf("%s and %s share peak hour %d", p, q, h)
				}
				seen[h] = p
			}
			return nil
		}},
		{"devices", func() error {
			for p, want := range map[string][2]float64{
				"champions": {0, 0.35}, "lapsed": {0, 0.35},
				"bargain_hunters": {0.6, 1}, "window_browsers": {0.6, 1}, "influencers": {0.7, 1},
			} {
				if v := share(st[p].mobile, st[p].events); v < want[0] || v > want[1] {
					return fmt.Errorf("%s: mobile share %.2f, want %v", p, v, want)
				}
			}
			return nil
		}},
		{"ages", func() error {
			for p, want := range map[string][2]float64{
				"champions": {35, 55}, "bargain_hunters": {25, 40}, "window_browsers": {18, 30},
				"lapsed": {45, 70}, "influencers": {18, 28},
			} {
				if v := st[p].ageSum / float64(st[p].users); v < want[0] || v > want[1] {
					return fmt.Errorf("%s: mean age %.1f, want %v", p, v, want)
				}
			}
			return nil
		}},
		{"champions have the longest tenure and come by email", func() error {
			c := st["champions"]
			for _, p := range core[1:] {
				if st[p].tenureDays/float64(st[p].users) >= c.tenureDays/float64(c.users) {
					return fmt.Errorf("mean tenure: champions %.0f days, %s %.0f", c.tenureDays/float64(c.users), p, st[p].tenureDays/float64(st[p].users))
				}
			}
			if v := share(c.email, c.users); v < 0.4 {
				return fmt.Errorf("champions: email share %.2f, want >= 0.4", v)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.check(); err != nil {
				t.Error(err)
			}
		})
	}
}
