package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// sampleInput returns a realistic report input: 7 segments, 40 heat
// features, 2,000 projection points and every optional part filled in. It
// is seeded, so it is the same on every call.
func sampleInput() Input {
	rng := rand.New(rand.NewPCG(7, 11))
	type seg struct {
		name, desc string
		size       int
		actions    []string
	}
	segs := []seg{
		{"Loyal high spenders", "Buy often and spend the most; long-standing customers who react to new products rather than discounts.", 4210,
			[]string{"Invite to an early-access or loyalty tier", "Recommend new arrivals in their favourite categories"}},
		{"Weekend bargain hunters", "Shop mostly on Saturdays and Sundays and use discount codes on more than half of their orders.", 3890,
			[]string{"Time promotions for Friday evening", "Bundle offers instead of deeper discounts"}},
		{"Night-owl browsers", "Browse late at night with long sessions but convert rarely; many abandoned carts.", 3120,
			[]string{"Send cart reminders the next evening", "Test a simpler checkout on mobile"}},
		{"New and curious", "Joined in the last 60 days, explore many categories and have made one or two purchases.", 2750,
			[]string{"Onboarding series highlighting best sellers", "Second-purchase incentive within 30 days"}},
		{"Lapsed customers", "Used to buy regularly but have not been seen for more than four months.", 2400,
			[]string{"Win-back campaign with a personal offer", "Ask for feedback on why they left"}},
		{"Mobile commuters", "Short mobile sessions on weekday mornings and evenings; steady small purchases.", 2100,
			[]string{"Push notifications at commuting times", "One-tap reorder of frequent items"}},
		{"Occasional gift buyers", "Few, large orders around holidays, often shipped to another address.", 1530,
			[]string{"Gift guides before holidays", "Reminder of last year's occasion"}},
		{"Unsegmented", "Users in no dense region of the feature space: each unusual in their own way.", 640,
			[]string{"Review them by hand before any campaign"}},
	}
	n := len(segs)
	total := 0
	for _, s := range segs {
		total += s.size
	}
	features := []string{
		"events_total", "events_per_active_day", "sessions_total", "sessions_per_week", "avg_session_minutes",
		"days_active", "days_since_last_event", "tenure_days", "txn_count", "txn_amount_sum",
		"txn_amount_mean", "txn_amount_max", "days_since_last_txn", "discount_share", "returns_rate",
		"cart_abandon_rate", "share_mobile", "share_desktop", "share_app", "share_weekend",
		"share_night", "share_morning", "share_evening", "distinct_categories", "distinct_products",
		"top_category_share", "search_per_session", "views_per_session", "add_to_cart_rate", "wishlist_adds",
		"email_open_rate", "email_click_rate", "push_opt_in", "reviews_written", "support_tickets",
		"coupon_redemptions", "gift_orders_share", "shipping_addresses", "avg_basket_items", "age",
	}
	in := Input{
		Title:           "Customer segments",
		Subtitle:        fmt.Sprintf("Demo: %s users, K-Means with k = 7", formatInt(total)),
		Currency:        "EUR",
		HeatFeatures:    features,
		Categories:      []string{"Electronics", "Fashion", "Home & garden", "Beauty", "Sports", "Books", "Toys", "Grocery"},
		CategoryMeasure: "spend",
		ChosenK:         7,
	}
	for i, s := range segs {
		z := make([]float64, len(features))
		for j := range z {
			z[j] = math.Round(rng.NormFloat64()*90) / 100
		}
		// Plant a few strong traits per segment.
		for k := range 4 {
			j := (i*5 + k*7) % len(features)
			z[j] = math.Round((1.4+rng.Float64()*1.4)*float64(1-2*(k%2))*100) / 100
		}
		in.HeatZ = append(in.HeatZ, z)
		hm := make([]float64, len(z))
		for j := range hm {
			hm[j] = math.Round((10+10*z[j])*100) / 100 // a segment mean in the feature's units
		}
		in.HeatMean = append(in.HeatMean, hm)
		order := make([]int, len(z))
		for j := range order {
			order[j] = j
		}
		slices.SortStableFunc(order, func(a, b int) int {
			return cmpFloat(math.Abs(z[b]), math.Abs(z[a]))
		})
		var traits []Trait
		for _, j := range order[:6] {
			traits = append(traits, Trait{Feature: features[j], Z: z[j]})
		}
		id := i
		if i == len(segs)-1 {
			id = -1 // the unsegmented group
		}
		in.Segments = append(in.Segments, Segment{
			ID: id, Name: s.name, Size: s.size, Share: float64(s.size) / float64(total),
			Description: s.desc, Traits: traits, Actions: s.actions,
		})
		in.RevenueBySegment = append(in.RevenueBySegment, float64(s.size)*[]float64{210, 38, 9, 22, 4, 31, 64, 17}[i])
		in.HourShare = append(in.HourShare, normalise(profile(24, []float64{19, 13, 23, 15, 20, 8, 12, 16}[i], 3+rng.Float64()*2, rng)))
		in.WeekdayShare = append(in.WeekdayShare, normalise(profile(7, []float64{2, 5.5, 3, 1, 4, 2, 6, 3}[i], 1.5+rng.Float64()*2, rng)))
		cat := make([]float64, len(in.Categories))
		for c := range cat {
			cat[c] = 0.2 + rng.ExpFloat64()
		}
		cat[i%len(cat)] += 2.5
		in.CategoryShare = append(in.CategoryShare, normalise(cat))
		rec := 10 + 25*float64(i) + 10*rng.Float64()
		freq := 2 + 10*rng.Float64()
		mon := 40 + 300*rng.Float64()
		in.RFM = append(in.RFM, RFMBox{
			Recency:   FiveNum{0, rec * 0.4, rec, rec * 1.8, rec * 4},
			Frequency: FiveNum{1, freq * 0.5, freq, freq * 1.6, freq * 3.5},
			Monetary:  FiveNum{5, mon * 0.45, mon, mon * 1.7, mon * 4.2},
		})
		ages := make([]int, 300)
		mean := 24 + 6*float64(i)
		for a := range ages {
			ages[a] = int(math.Max(18, math.Min(85, mean+rng.NormFloat64()*8)))
		}
		in.Ages = append(in.Ages, ages)
	}
	// Projection: 2,000 points around one centre per segment, segments in
	// proportion to their size, interleaved.
	centres := make([][2]float64, n)
	for i := range centres {
		a := 2 * math.Pi * float64(i) / float64(n)
		centres[i] = [2]float64{3.2 * math.Cos(a), 2.2 * math.Sin(a)}
	}
	for range 2000 {
		u := rng.IntN(total)
		s := 0
		for u >= segs[s].size {
			u -= segs[s].size
			s++
		}
		p := Point2{X: centres[s][0] + rng.NormFloat64()*0.9, Y: centres[s][1] + rng.NormFloat64()*0.7, Segment: s}
		if s == n-1 { // the unsegmented users are scattered everywhere
			p.X, p.Y = rng.Float64()*10-5, rng.Float64()*7-3.5
		}
		in.Projection = append(in.Projection, p)
	}
	in.Dendrogram = sampleTree(in.Segments[:n-1])
	in.KDistance = sampleKDistance(rng, 4000)
	in.Eps, in.MinSamples = 1.2, 10
	for i := range n - 1 {
		in.SilhouetteBySegment = append(in.SilhouetteBySegment, math.Round((0.55-0.06*float64(i)+0.05*rng.Float64())*1000)/1000)
	}
	in.SilhouetteBySegment = append(in.SilhouetteBySegment, math.NaN())
	in.ProjectionAxes = [2]string{"PC 1 (31.2% of variance)", "PC 2 (18.7% of variance)"}
	for i := range in.Projection {
		in.Projection[i].User = fmt.Sprintf("user-%05d", i)
	}
	// RFM grid: 150 buyers per segment, recency and frequency shifting
	// with the segment.
	var rec, freq, mon []float64
	var segOf []int
	for s := range n {
		for range 150 {
			rec = append(rec, math.Round(5+rng.ExpFloat64()*float64(20+25*s)))
			freq = append(freq, math.Round(1+rng.ExpFloat64()*float64(8-s)))
			mon = append(mon, math.Round(100*(10+rng.ExpFloat64()*float64(50*(8-s))))/100)
			segOf = append(segOf, s)
		}
	}
	grid, err := RFMGrid(rec, freq, mon, segOf, n)
	if err != nil {
		panic(err)
	}
	in.RFMGrid = grid
	income := NumericAttribute{Name: "annual income (k$)", Log: true}
	score := NumericAttribute{Name: "spending score (1–100)"}
	for s := range n {
		m := 30 + 12*float64(s)
		income.Boxes = append(income.Boxes, FiveNum{Min: 12, Q1: m * 0.7, Median: m, Q3: m * 1.4, Max: m * 3})
		c := 20 + 9*float64(s)
		score.Boxes = append(score.Boxes, FiveNum{Min: 1, Q1: c - 10, Median: c, Q3: c + 12, Max: 99})
	}
	in.NumericAttributes = []NumericAttribute{income, score}
	groups := []string{"champions", "loyal", "potential loyalists", "new customers", "at risk", "hibernating", "lost", "no purchase"}
	in.RFMGroups = &Mix{Field: "RFM group", Values: groups}
	for s := range n {
		row := make([]float64, len(groups))
		for g := range row {
			row[g] = rng.ExpFloat64()
		}
		row[s%len(groups)] += 3
		in.RFMGroups.Share = append(in.RFMGroups.Share, normalise(row))
	}
	inertia := 9.1e4
	for k := 2; k <= 12; k++ {
		inertia *= 0.8 - 0.02*float64(max(0, 7-k))
		if k > 7 {
			inertia *= 1.12
		}
		sil := 0.22 + 0.03*float64(min(k, 7)) - 0.02*float64(max(0, k-7)) + 0.01*rng.Float64()
		in.KCurve = append(in.KCurve, KPoint{K: k, Inertia: math.Round(inertia), Silhouette: sil})
	}
	// Customer value: every segment's buyers but the unsegmented group's.
	v := &ValueSection{Model: "BG/NBD", HorizonMonths: 12, Discount: 0.01, LostBelow: 0.5}
	for i, sg := range segs {
		cust := sg.size * (9 - i) / 10
		if i == n-1 {
			cust = 0
		}
		alive := FiveNum{Min: 0.02, Q1: 0.3 + 0.05*float64(i%3), Median: 0.6, Q3: 0.85, Max: 1}
		mean := math.Round(400/float64(i+1)*100) / 100
		clv := FiveNum{Min: 0, Q1: mean / 4, Median: mean / 2, Q3: mean, Max: mean * 20}
		lost := 0.1 + 0.08*float64(i)
		if cust == 0 {
			alive, clv, mean, lost = FiveNum{}, FiveNum{}, 0, 0
		}
		v.Customers = append(v.Customers, cust)
		v.PAlive = append(v.PAlive, alive)
		v.LikelyLost = append(v.LikelyLost, lost)
		v.CLV = append(v.CLV, clv)
		v.MeanCLV = append(v.MeanCLV, mean)
		v.TotalCLV = append(v.TotalCLV, mean*float64(cust))
	}
	v.Holdout = &HoldoutCheck{CalibrationEnd: time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC), HoldoutEnd: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC),
		Customers: 15200, Actual: 9120, Predicted: 8877.5, MAE: 0.61, RMSE: 1.02}
	for f := range 8 {
		label := fmt.Sprint(f)
		if f == 7 {
			label = "7+"
		}
		v.Holdout.Groups = append(v.Holdout.Groups, CalibrationGroup{Label: label, Customers: 6000 >> f, Actual: 0.2 + 0.45*float64(f), Predicted: 0.25 + 0.41*float64(f)})
	}
	in.Value = v
	in.Method = []KeyValue{
		{"Data", "events.csv: 1,204,331 rows read, 212 rejected (bad timestamp); transactions.csv: 88,410 rows"},
		{"Users", formatInt(total) + " users with at least one event"},
		{"Features", fmt.Sprintf("%d features, standardised (z-scores); 8 PCA components kept (81%% of variance)", len(features))},
		{"Algorithm", "K-Means (k-means++ initialisation, 10 restarts, Lloyd iterations)"},
		{"Parameters", "k = 7 chosen from k = 2…12 by silhouette; seed 42"},
		{"Quality", "silhouette 0.41, Calinski–Harabasz 5,210, Davies–Bouldin 0.93"},
		{"Run time", "12.4 s on 2 cores"},
	}
	return in
}

// sampleTree is a truncated dendrogram over segs with four leaves per
// segment (one of them a single user), pairs merging first, then each
// segment's pairs, then the segments: (0,1), (2,3), (4,5), then
// ((0,1),(2,3)), ((4,5),6) and the root, drawn without crossings. Its cut
// falls between the last in-segment merge and the first join of segments.
func sampleTree(segs []Segment) *DendrogramData {
	d := &DendrogramData{Linkage: "ward"}
	for s, sg := range segs {
		rest := sg.Size
		for j, f := range []float64{0.4, 0.3, 0.3} {
			size := int(f * float64(sg.Size))
			if j == 2 {
				size = rest - 1
			}
			rest -= size
			d.Leaves = append(d.Leaves, DendrogramLeaf{Size: size, Segment: s})
		}
		d.Leaves = append(d.Leaves, DendrogramLeaf{Size: 1, Segment: s})
	}
	nl := len(d.Leaves)
	node := func(i int) int { return nl + i } // the node merge i makes
	add := func(a, b int, h float64) int {
		d.Merges = append(d.Merges, DendrogramMerge{A: a, B: b, Height: h})
		return node(len(d.Merges) - 1)
	}
	pairs := make([][2]int, len(segs))
	for s := range segs {
		pairs[s][0] = add(4*s, 4*s+1, 0.6+0.1*float64(s))
	}
	for s := range segs {
		pairs[s][1] = add(4*s+2, 4*s+3, 1.4+0.1*float64(s))
	}
	seg := make([]int, len(segs))
	for s := range segs {
		seg[s] = add(pairs[s][0], pairs[s][1], 2.2+0.25*float64(s))
	}
	d.CutHeight = d.Merges[len(d.Merges)-1].Height
	m01 := add(seg[0], seg[1], 5.1)
	m23 := add(seg[2], seg[3], 5.8)
	m45 := add(seg[4], seg[5], 6.6)
	m0123 := add(m01, m23, 8.3)
	m456 := add(m45, seg[6], 9.7)
	add(m0123, m456, 14.2)
	return d
}

// sampleKDistance is a sorted k-distance curve of n users: a long, slowly
// rising body and a steep tail of sparse users.
func sampleKDistance(rng *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		t := rng.Float64()
		out[i] = 0.4 + 0.6*t + 2.8*math.Pow(t, 16) + 0.03*rng.Float64()
	}
	slices.Sort(out)
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// profile is a periodic bump of n values peaking at peak with width w.
func profile(n int, peak, w float64, rng *rand.Rand) []float64 {
	out := make([]float64, n)
	for i := range out {
		d := math.Abs(float64(i) - peak)
		d = math.Min(d, float64(n)-d)
		out[i] = math.Exp(-d*d/(2*w*w)) + 0.08 + 0.04*rng.Float64()
	}
	return out
}

func normalise(v []float64) []float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	for i := range v {
		v[i] /= s
	}
	return v
}

// smallInput is a compact input with every part present, for golden files;
// its last segment is the unsegmented group.
func smallInput() Input {
	in := Input{
		Title:            "Small report",
		Subtitle:         "Three segments <b>escaped</b> & tested",
		Segments:         []Segment{{ID: 0, Name: "Alpha", Size: 60, Share: 0.6, Description: "First.", Traits: []Trait{{"spend", 1.5}, {"visits", -0.7}}, Actions: []string{"Keep them"}, Profile: []string{"Age: median 34 <young>."}}, {ID: 1, Name: "Beta", Size: 30, Share: 0.3, Description: "Second."}, {ID: -1, Name: "Unsegmented", Size: 10, Share: 0.1}},
		RevenueBySegment: []float64{1000, 250, 50},
		HeatFeatures:     []string{"spend", "visits", "age"},
		HeatZ:            [][]float64{{1.5, -0.7, 0}, {-0.5, 1.2, 2.7}, {0.1, math.NaN(), -3}},
		HourShare:        make([][]float64, 3),
		ChosenK:          3,
		KCurve:           []KPoint{{K: 2, Inertia: 100, Silhouette: 0.3}, {K: 3, Inertia: 60, Silhouette: 0.5}, {K: 4, Inertia: 50, Silhouette: math.NaN()}},
		Dendrogram: &DendrogramData{Linkage: "ward",
			Leaves:    []DendrogramLeaf{{40, 0}, {20, 0}, {1, 1}, {29, 1}, {10, 2}},
			Merges:    []DendrogramMerge{{0, 1, 0.8}, {2, 3, 1.1}, {5, 6, 3.5}, {7, 4, 4.2}},
			CutHeight: 1.1},
		KDistance:           []float64{0.2, 0.25, 0.3, 0.31, 0.35, 0.4, 0.42, 0.5, 0.9, 1.6},
		Eps:                 0.45,
		MinSamples:          4,
		SilhouetteBySegment: []float64{0.48, 0.21, math.NaN()},
		Method:              []KeyValue{{"Algorithm", "K-Means"}},
	}
	for i := range in.HourShare {
		in.HourShare[i] = make([]float64, 24)
		for h := range 24 {
			in.HourShare[i][h] = 1.0 / 24
		}
		in.HourShare[i][(8*i+9)%24] += 0.1
		normalise(in.HourShare[i])
	}
	return in
}
