package profile

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/features"
)

// Metric is one feature of a segment in the profile's sections.
type Metric struct {
	Feature string  `json:"feature"`
	Label   string  `json:"label"`
	Mean    float64 `json:"mean"`
	Median  float64 `json:"median"`
	Base    float64 `json:"base_mean"`
	Lift    float64 `json:"lift"`
	Z       float64 `json:"z"`
}

// Share is the share of a segment's users with one value of a categorical
// field (or in one age band), against the base.
type Share struct {
	Value string  `json:"value"`
	Share float64 `json:"share"`
	Base  float64 `json:"base_share"`
	// Lift is Share / Base (1 when Base is 0).
	Lift float64 `json:"lift"`
}

// Categorical is a segment's mix of one categorical field.
type Categorical struct {
	Field  string  `json:"field"`
	Shares []Share `json:"shares"`
}

// Demographics is the demographic part of a profile.
type Demographics struct {
	Age *Metric `json:"age,omitempty"`
	// AgeBands is the share of users in each age band.
	AgeBands []Share       `json:"age_bands,omitempty"`
	Fields   []Categorical `json:"fields,omitempty"`
	// Attributes are the numeric, ordinal and date attributes of the
	// section (categorical, list and boolean ones are in Fields).
	Attributes []Metric `json:"attributes,omitempty"`
}

// Interest is one category or topic a segment leans towards.
type Interest struct {
	// Kind is "spend" (share of spend), "browsing" (share of categorised
	// events) or "social" (share of social actions).
	Kind string  `json:"kind"`
	Name string  `json:"name"`
	Mean float64 `json:"mean"`
	Base float64 `json:"base_mean"`
	Lift float64 `json:"lift"`
}

// Psychographic is the interests and attitudes part of a profile.
type Psychographic struct {
	Interests        []Interest `json:"interests,omitempty"`
	PriceSensitivity *Metric    `json:"price_sensitivity,omitempty"`
	PriceLevel       *Metric    `json:"price_level,omitempty"`
	Loyalty          *Metric    `json:"loyalty_hhi,omitempty"`
	Variety          *Metric    `json:"variety_entropy,omitempty"`
	// Price and Style put the metrics in words: "price sensitive",
	// "price insensitive" or "average"; "category loyal", "variety seeking"
	// or "balanced".
	Price string `json:"price,omitempty"`
	Style string `json:"style,omitempty"`
	// Fields and Attributes are the section's attributes, as in
	// Demographics.
	Fields     []Categorical `json:"fields,omitempty"`
	Attributes []Metric      `json:"attributes,omitempty"`
}

// Behaviour is the behavioural part of a profile; each list holds the
// metrics of the features present in the data.
type Behaviour struct {
	RFM      []Metric    `json:"rfm,omitempty"`
	Scores   *SegmentRFM `json:"rfm_scores,omitempty"`
	DayParts []Metric    `json:"day_parts,omitempty"`
	Week     []Metric    `json:"week,omitempty"`
	Sessions []Metric    `json:"sessions,omitempty"`
	Funnel   []Metric    `json:"funnel,omitempty"`
	Social   []Metric    `json:"social,omitempty"`
	// Fields and Attributes are the section's attributes, as in
	// Demographics.
	Fields     []Categorical `json:"fields,omitempty"`
	Attributes []Metric      `json:"attributes,omitempty"`
}

// ageBands are the bands of the age distribution: [lo, hi).
var ageBandEdges = [...]float64{0, 25, 35, 45, 55, 65, math.Inf(1)}

func ageBandName(k int) string {
	lo, hi := ageBandEdges[k], ageBandEdges[k+1]
	switch {
	case k == 0:
		return "under 25"
	case math.IsInf(hi, 1):
		return itoa(int(lo)) + "+"
	}
	return itoa(int(lo)) + "–" + itoa(int(hi)-1)
}

func itoa(v int) string { return strconv.Itoa(v) }

func ageBand(age float64) int {
	for k := 0; k+1 < len(ageBandEdges); k++ {
		if age < ageBandEdges[k+1] {
			return k
		}
	}
	return len(ageBandEdges) - 2
}

// sectioner builds the sections from the feature statistics.
type sectioner struct {
	base  map[string]BaseStat
	col   map[string]int // the columns that vary, by name
	names []string       // every column's name, in order
	cols  map[string]Column
}

func (c *sectioner) metric(s *Segment, feature, label string) *Metric {
	f, ok := s.Feature(feature)
	if !ok {
		return nil
	}
	return &Metric{Feature: feature, Label: label, Mean: f.Mean, Median: f.Median, Base: c.base[feature].Mean, Lift: f.Lift, Z: f.Z}
}

func (c *sectioner) metrics(s *Segment, pairs ...string) []Metric {
	var out []Metric
	for i := 0; i+1 < len(pairs); i += 2 {
		if m := c.metric(s, pairs[i], pairs[i+1]); m != nil {
			out = append(out, *m)
		}
	}
	return out
}

// categoricalFields are the one-hot encoded demographic fields.
var categoricalFields = [...]string{"gender", "country", "acquisition_channel", "device"}

func (c *sectioner) demographics(s *Segment, ages []float64, baseBands []float64) Demographics {
	var d Demographics
	d.Age = c.metric(s, features.Age, "age (years)")
	if ages != nil {
		counts := make([]float64, len(baseBands))
		for _, a := range ages {
			counts[ageBand(a)]++
		}
		for k, b := range baseBands {
			sh := counts[k] / float64(len(ages))
			d.AgeBands = append(d.AgeBands, Share{Value: ageBandName(k), Share: sh, Base: b, Lift: lift(sh, b)})
		}
	}
	for _, field := range categoricalFields {
		var cat Categorical
		for _, name := range c.names {
			v, ok := strings.CutPrefix(name, field+"_")
			if !ok || strings.HasPrefix(v, "share_") || c.cols[name].IsAttribute() { // device_share_* are event shares
				continue
			}
			if _, varies := c.col[name]; !varies {
				continue
			}
			f, _ := s.Feature(name)
			b := c.base[name].Mean
			cat.Shares = append(cat.Shares, Share{Value: v, Share: f.Mean, Base: b, Lift: lift(f.Mean, b)})
		}
		if len(cat.Shares) > 0 {
			cat.Field = field
			d.Fields = append(d.Fields, cat)
		}
	}
	fields, attrs := c.attributes(s, SectionDemographic)
	d.Fields = append(d.Fields, fields...)
	d.Attributes = attrs
	return d
}

// attributes returns the segment's attributes of one section: the shares
// of the levels of every categorical, list and boolean attribute (in
// column order) and the metrics of the numeric, ordinal and date ones.
// Constant and absent columns are left out.
func (c *sectioner) attributes(s *Segment, sec Section) ([]Categorical, []Metric) {
	var fields []Categorical
	var metrics []Metric
	at := map[string]int{}
	for _, name := range c.names {
		col := c.cols[name]
		if !col.IsAttribute() || col.section(name) != sec || name == features.Age { // an age is Demographics.Age
			continue
		}
		f, ok := s.Feature(name)
		if !ok {
			continue
		}
		if !col.indicator() {
			metrics = append(metrics, *c.metric(s, name, col.label(name)))
			continue
		}
		attr := col.Attribute
		if attr == "" {
			attr = name
		}
		k, ok := at[attr]
		if !ok {
			k = len(fields)
			at[attr] = k
			fields = append(fields, Categorical{Field: attr})
		}
		level := col.Level
		if level == "" {
			level = "yes"
		}
		b := c.base[name].Mean
		fields[k].Shares = append(fields[k].Shares, Share{Value: level, Share: f.Mean, Base: b, Lift: lift(f.Mean, b)})
	}
	return fields, metrics
}

func lift(v, base float64) float64 {
	if base == 0 {
		return 1
	}
	return v / base
}

// maxInterests is how many interests a profile lists.
const maxInterests = 6

func (c *sectioner) psychographic(s *Segment) Psychographic {
	var p Psychographic
	for _, name := range c.names {
		var kind, v string
		for _, k := range []struct{ prefix, kind string }{{features.SpendSharePrefix, "spend"}, {features.AffinityPrefix, "browsing"}, {features.TopicSharePrefix, "social"}} {
			if rest, ok := strings.CutPrefix(name, k.prefix); ok {
				kind, v = k.kind, rest
			}
		}
		if kind == "" || v == "other" || c.cols[name].IsAttribute() {
			continue
		}
		f, ok := s.Feature(name)
		if !ok {
			continue
		}
		b := c.base[name].Mean
		if b <= 0 || f.Lift < 1.1 {
			continue
		}
		p.Interests = append(p.Interests, Interest{Kind: kind, Name: strings.ReplaceAll(v, "_", " "), Mean: f.Mean, Base: b, Lift: f.Lift})
	}
	sort.SliceStable(p.Interests, func(a, b int) bool { return p.Interests[a].Lift > p.Interests[b].Lift })
	if len(p.Interests) > maxInterests {
		p.Interests = p.Interests[:maxInterests]
	}
	p.PriceSensitivity = c.metric(s, features.PriceSensitivity, "price sensitivity (0 to 1)")
	p.PriceLevel = c.metric(s, features.PriceLevel, "price level (1 = category median)")
	p.Loyalty = c.metric(s, features.LoyaltyHHI, "category concentration (HHI)")
	p.Variety = c.metric(s, features.VarietyEntropy, "category variety (entropy)")
	if m := p.PriceSensitivity; m != nil {
		p.Price = "average"
		switch {
		case m.Z > 0.5:
			p.Price = "price sensitive"
		case m.Z < -0.5:
			p.Price = "price insensitive"
		}
	}
	p.Fields, p.Attributes = c.attributes(s, SectionPsychographic)
	if p.Loyalty != nil && p.Variety != nil {
		p.Style = "balanced"
		switch {
		case p.Loyalty.Mean == 0 && p.Variety.Mean == 0:
			p.Style = "no purchases"
		case fewOrders(s):
			p.Style = "too few orders to tell"
		case p.Variety.Z > 0.3 && p.Variety.Z > p.Loyalty.Z:
			p.Style = "variety seeking"
		case p.Loyalty.Z > 0.3:
			p.Style = "category loyal"
		}
	}
	return p
}

func (c *sectioner) behaviour(s *Segment) Behaviour {
	fields, attrs := c.attributes(s, SectionBehavioural)
	return Behaviour{
		Fields:     fields,
		Attributes: attrs,
		RFM: c.metrics(s,
			features.RecencyDays, "days since the last purchase",
			features.Frequency, "orders",
			features.Monetary, "net spend",
			features.AvgOrderValue, "average order value",
			features.DaysSinceLastActivity, "days since any activity"),
		DayParts: c.metrics(s,
			features.ShareNight, "share of events 00–06",
			features.ShareMorning, "share of events 06–12",
			features.ShareAfternoon, "share of events 12–18",
			features.ShareEvening, "share of events 18–24"),
		Week: c.metrics(s, features.WeekendShare, "share of events at the weekend"),
		Sessions: c.metrics(s,
			features.Sessions, "sessions",
			features.EventsPerSession, "events per session",
			features.SessionMinutes, "minutes per session",
			features.ActiveDays, "active days"),
		Funnel: c.metrics(s,
			features.SharePrefix+"search", "share of events that are searches",
			features.CartRate, "add to cart ÷ product views",
			features.CheckoutRate, "checkouts ÷ add to cart",
			features.ReturnRate, "units returned ÷ bought"),
		Social: c.metrics(s,
			features.SocialActions, "social actions",
			features.SocialPosts, "posts",
			features.SocialShares, "shares",
			features.SocialComments, "comments",
			features.SocialActiveDays, "days with social activity"),
	}
}
