package synth

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

func parseTS(s string) (time.Time, error) { return time.Parse(tsLayout, s) }

func parseDate(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }

func set(vals ...string) map[string]bool {
	m := map[string]bool{}
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// TestRowsWellFormed parses every file back and checks every field and
// the links between files.
func TestRowsWellFormed(t *testing.T) {
	dir, _ := generate(t, 1500, 5)
	d := load(t, dir)
	end := defaultEnd()
	start := end.AddDate(-2, 0, 0)

	cats, topics := categoryNames(), topicNames()
	catSet, topicSet := set(cats[:]...), set(topics[:]...)
	plats, acts, ctrs, chans, devs, gens, evs := platformNames(), actionNames(), countryNames(), channelNames(), deviceNames(), genderNames(), eventNames()
	platSet, actSet, ctrSet, chanSet, devSet, genSet, evSet := set(plats[:]...), set(acts[:]...), set(ctrs[:]...), set(chans[:]...), set(devs[:]...), set(gens[:]...), set(evs[:]...)

	userRe := regexp.MustCompile(`^U\d{6}$`)
	sessRe := regexp.MustCompile(`^S\d{8}$`)
	orderRe := regexp.MustCompile(`^O\d{7}$`)
	prodRe := regexp.MustCompile(`^P\d{4}$`)
	priceRe := regexp.MustCompile(`^\d+\.\d\d$`)

	signup := map[string]time.Time{}
	userIndex := map[string]int{}
	for i, row := range d.users {
		errf := func(format string, args ...any) {
			t.Helper()
			t.Errorf("users.csv row %d: "+format, append([]any{i + 2}, args...)...)
		}
		if want := fmt.Sprintf("U%06d", i+1); row[0] != want || !userRe.MatchString(row[0]) {
			errf("user_id %q, want %q", row[0], want)
		}
		if _, ok := d.truth[row[0]]; !ok {
			errf("user %s missing from truth.csv", row[0])
		}
		s, err := parseDate(row[1])
		if err != nil || s.After(end) {
			errf("signup_date %q: %v", row[1], err)
		}
		signup[row[0]] = s
		userIndex[row[0]] = i
		if y, err := strconv.Atoi(row[2]); err != nil || y < end.Year()-80 || y > end.Year()-17 {
			errf("birth_year %q", row[2])
		}
		if !genSet[row[3]] || !ctrSet[row[4]] || !chanSet[row[5]] || !devSet[row[6]] {
			errf("bad value in %q", row)
		}
	}

	// inWindow checks a user's timestamp: inside the window, after signup,
	// not before the user's previous row of the same file.
	type cursor struct {
		user string
		last time.Time
	}
	checkTS := func(file string, i int, c *cursor, user, ts string) time.Time {
		t.Helper()
		tm, err := parseTS(ts)
		if err != nil {
			t.Fatalf("%s row %d: timestamp: %v", file, i+2, err)
		}
		if tm.Before(start) || tm.After(end) {
			t.Errorf("%s row %d: timestamp %s outside the window", file, i+2, ts)
		}
		su, ok := signup[user]
		if !ok {
			t.Fatalf("%s row %d: unknown user %q", file, i+2, user)
		}
		if tm.Before(su) {
			t.Errorf("%s row %d: timestamp %s before signup %s", file, i+2, ts, su.Format("2006-01-02"))
		}
		if user == c.user {
			if tm.Before(c.last) {
				t.Errorf("%s row %d: rows of user %s not in time order", file, i+2, user)
			}
		} else if c.user != "" && userIndex[user] <= userIndex[c.user] {
			t.Errorf("%s row %d: users not in order (%s after %s)", file, i+2, user, c.user)
		}
		c.user, c.last = user, tm
		return tm
	}

	sessUser := map[string]string{}
	checkouts := map[string]int{}
	prevInSession := map[string][2]string{} // event type and category
	var c cursor
	for i, row := range d.events {
		checkTS("events.csv", i, &c, row[0], row[1])
		if !sessRe.MatchString(row[2]) {
			t.Errorf("events.csv row %d: session_id %q", i+2, row[2])
		}
		if u, ok := sessUser[row[2]]; ok && u != row[0] {
			t.Errorf("events.csv row %d: session %s shared by %s and %s", i+2, row[2], u, row[0])
		}
		sessUser[row[2]] = row[0]
		if !evSet[row[3]] || !devSet[row[5]] {
			t.Errorf("events.csv row %d: bad value in %q", i+2, row)
		}
		switch row[3] {
		case "login", "search", "checkout":
			if row[4] != "" {
				t.Errorf("events.csv row %d: %s with category %q", i+2, row[3], row[4])
			}
		default:
			if !catSet[row[4]] {
				t.Errorf("events.csv row %d: %s with category %q", i+2, row[3], row[4])
			}
		}
		if row[3] == "checkout" {
			checkouts[row[0]]++
		}
		prev, ok := prevInSession[row[2]]
		switch {
		case !ok && row[3] != "login" && row[3] != "page_view" && row[3] != "search":
			t.Errorf("events.csv row %d: session %s starts with %s", i+2, row[2], row[3])
		case row[3] == "add_to_cart" && (prev[0] != "product_view" || prev[1] != row[4]):
			t.Errorf("events.csv row %d: add_to_cart of %s after %v", i+2, row[4], prev)
		}
		prevInSession[row[2]] = [2]string{row[3], row[4]}
	}

	type key struct{ user, order, product string }
	bought := map[key]int{}
	boughtAt := map[key]time.Time{}
	orderUser := map[string]string{}
	orders := map[string]map[string]bool{}
	prodCat, prodPrice := map[string]string{}, map[string]string{}
	returns := 0
	c = cursor{}
	for i, row := range d.txns {
		errf := func(format string, args ...any) {
			t.Helper()
			t.Errorf("transactions.csv row %d: "+format, append([]any{i + 2}, args...)...)
		}
		tm := checkTS("transactions.csv", i, &c, row[0], row[2])
		if !orderRe.MatchString(row[1]) || !prodRe.MatchString(row[3]) || !catSet[row[4]] {
			errf("bad value in %q", row)
		}
		if u, ok := orderUser[row[1]]; ok && u != row[0] {
			errf("order %s shared by %s and %s", row[1], u, row[0])
		}
		orderUser[row[1]] = row[0]
		if c, ok := prodCat[row[3]]; ok && c != row[4] {
			errf("product %s in categories %s and %s", row[3], c, row[4])
		}
		if p, ok := prodPrice[row[3]]; ok && p != row[6] {
			errf("product %s at prices %s and %s", row[3], p, row[6])
		}
		prodCat[row[3]], prodPrice[row[3]] = row[4], row[6]
		q, err := strconv.Atoi(row[5])
		if err != nil || q == 0 {
			errf("quantity %q", row[5])
		}
		p, err := strconv.ParseFloat(row[6], 64)
		if err != nil || p <= 0 || !priceRe.MatchString(row[6]) {
			errf("unit_price %q", row[6])
		}
		disc, err := strconv.ParseFloat(row[7], 64)
		if err != nil || disc < 0 || disc > 0.9 {
			errf("discount %q", row[7])
		}
		k := key{row[0], row[1], row[3]}
		if q > 0 {
			if bought[k] > 0 {
				errf("product %s twice in order %s", row[3], row[1])
			}
			bought[k] += q
			boughtAt[k] = tm
			if orders[row[0]] == nil {
				orders[row[0]] = map[string]bool{}
			}
			orders[row[0]][row[1]] = true
			continue
		}
		returns++
		if bought[k] < -q || !boughtAt[k].Before(tm) {
			errf("return of %d × %s in order %s without an earlier purchase", -q, row[3], row[1])
		}
		bought[k] += q
	}
	if f := float64(returns) / float64(len(d.txns)); f < 0.005 || f > 0.03 {
		t.Errorf("returns are %.4f of transaction lines, want 0.005..0.03", f)
	}
	for u, n := range checkouts {
		if len(orders[u]) != n {
			t.Errorf("user %s has %d checkout events but %d orders", u, n, len(orders[u]))
		}
	}
	for u, o := range orders {
		if checkouts[u] != len(o) {
			t.Errorf("user %s has %d orders but %d checkout events", u, len(o), checkouts[u])
		}
	}

	c = cursor{}
	for i, row := range d.social {
		checkTS("social.csv", i, &c, row[0], row[1])
		if !platSet[row[2]] || !actSet[row[3]] || !topicSet[row[4]] {
			t.Errorf("social.csv row %d: bad value in %q", i+2, row)
		}
	}

	var names []string
	for _, p := range Personas() {
		names = append(names, p.Name)
	}
	for u, p := range d.truth {
		if !slices.Contains(names, p) {
			t.Errorf("truth.csv: user %s has unknown persona %q", u, p)
		}
	}
}
