package synth

// Persona is a planted user type: its name as written to truth.csv and a
// one-line description of its behaviour.
type Persona struct {
	Name        string
	Description string
}

// Personas returns the planted personas in a fixed order (the order of the
// table in the package documentation), each with a one-line description.
func Personas() []Persona {
	ps := profiles()
	out := make([]Persona, len(ps))
	for i, p := range ps {
		out[i] = Persona{Name: p.name, Description: p.desc}
	}
	return out
}

// Value lists. Their order is part of the data format: the persona tables
// below index into them. They are functions so that no package-level state
// can be mutated.
func categoryNames() [nCats]string {
	return [nCats]string{"electronics", "fashion", "home", "beauty", "sports", "books", "grocery", "toys"}
}
func topicNames() [nTopics]string {
	return [nTopics]string{"fashion", "travel", "tech", "sports", "food", "gaming", "music", "parenting"}
}
func platformNames() [nPlatforms]string {
	return [nPlatforms]string{"instagram", "tiktok", "facebook", "x"}
}
func actionNames() [nActions]string {
	return [nActions]string{"post", "like", "share", "comment", "follow"}
}
func countryNames() [nCountries]string {
	return [nCountries]string{"US", "GB", "DE", "FR", "ES", "IT", "NL", "SE"}
}
func channelNames() [nChannels]string {
	return [nChannels]string{"organic", "paid_search", "social", "email", "referral"}
}
func deviceNames() [nDevices]string { return [nDevices]string{"mobile", "desktop", "tablet"} }
func genderNames() [3]string        { return [3]string{"female", "male", "other"} }
func eventNames() [nEventTypes]string {
	return [nEventTypes]string{"page_view", "search", "product_view", "add_to_cart", "checkout", "login"}
}

const (
	nCats       = 8
	nTopics     = 8
	nPlatforms  = 4
	nActions    = 5
	nCountries  = 8
	nChannels   = 5
	nDevices    = 3
	nEventTypes = 6
	nBrowse     = 4 // event types a browsing step draws from: page_view … add_to_cart
)

const (
	evPageView = iota
	evSearch
	evProductView
	evAddToCart
	evCheckout
	evLogin
)

// bump is one peak of an hour-of-day habit: a circular Gaussian around
// center (hours) with the given width (hours) and relative weight.
type bump struct{ center, width, weight float64 }

// profile holds the parameters a persona's users are drawn around. Ranges
// (lo, hi) are drawn uniformly per user; rates are per 365 days of activity.
type profile struct {
	name, desc string
	share      float64

	// Demographics and acquisition.
	ageLo, ageHi float64
	female       float64
	country      [nCountries]float64
	channel      [nChannels]float64
	device       [nDevices]float64

	// Habits: hour-of-day peaks and weekday weights (Sunday first).
	hours    []bump
	hourBase float64
	weekday  [7]float64

	// Interests.
	cats   [nCats]float64
	topics [nTopics]float64

	// Lifecycle: signup tenureLo..tenureHi days before the end of activity,
	// which is lapseLo..lapseHi days before End (0 for active users).
	tenureLo, tenureHi float64
	lapseLo, lapseHi   float64

	// Browsing sessions: rate, mean events per session, the event mix of a
	// browsing step (page_view, search, product_view, add_to_cart) and the
	// chance that a session starts with a login.
	sessLo, sessHi float64
	sessLen        float64
	mix            [nBrowse]float64
	login          float64

	// Orders: a yearly rate, or when ordFixed is set, the distribution of
	// the total number of orders (index = count).
	ordLo, ordHi   float64
	ordFixed       []float64
	extraLines     float64 // mean lines per order beyond the first
	priceMu        float64 // preferred price quantile within a category
	priceSD        float64
	discPLo        float64 // chance that a line is discounted, drawn per user
	discPHi        float64
	discLo, discHi float64 // discount fraction of a discounted line
	extraQty       float64 // mean quantity beyond 1

	// Social activity: chance that a user is socially active at all, the
	// yearly rate if so, platforms and the action mix.
	socialP            float64
	socialLo, socialHi float64
	platforms          [nPlatforms]float64
	actions            [nActions]float64

	// mixed marks the noise persona: each aspect of a user is taken from a
	// randomly chosen other persona.
	mixed bool
}

// profiles returns the persona tables. It builds them afresh on every call
// so that no package-level state can be mutated.
func profiles() []profile {
	workdays := [7]float64{0.35, 1, 1, 1, 1, 1, 0.35}
	countries := [nCountries]float64{0.30, 0.15, 0.15, 0.10, 0.08, 0.08, 0.07, 0.07}
	return []profile{
		{
			name:  "champions",
			desc:  "loyal high spenders: many steady full-price orders of electronics and home goods, desktop, weekday evenings, long tenure, email",
			share: 0.15,
			ageLo: 35, ageHi: 55, female: 0.42, country: countries,
			channel: [nChannels]float64{0.18, 0.05, 0.03, 0.62, 0.12},
			device:  [nDevices]float64{0.14, 0.76, 0.10},
			hours:   []bump{{19.5, 1.3, 1}, {13, 1, 0.12}}, hourBase: 0.015,
			weekday:  workdays,
			cats:     [nCats]float64{0.36, 0.07, 0.30, 0.04, 0.10, 0.06, 0.03, 0.04},
			topics:   [nTopics]float64{0.05, 0.25, 0.30, 0.15, 0.15, 0.02, 0.05, 0.03},
			tenureLo: 500, tenureHi: 2200,
			sessLo: 2, sessHi: 5, sessLen: 3.5, login: 0.75,
			mix:   [nBrowse]float64{0.28, 0.14, 0.36, 0.22},
			ordLo: 7, ordHi: 18, extraLines: 0.5, priceMu: 0.80, priceSD: 0.08,
			discPLo: 0, discPHi: 0.10, discLo: 0.05, discHi: 0.15, extraQty: 0.1,
			socialP: 0.45, socialLo: 0.5, socialHi: 4,
			platforms: [nPlatforms]float64{0.15, 0.03, 0.42, 0.40},
			actions:   [nActions]float64{0.04, 0.62, 0.12, 0.12, 0.10},
		},
		{
			name:  "bargain_hunters",
			desc:  "frequent small orders of cheap fashion, beauty and grocery bought mostly on discount, many searches, mobile, lunchtime and weekends",
			share: 0.23,
			ageLo: 25, ageHi: 40, female: 0.62, country: countries,
			channel: [nChannels]float64{0.15, 0.35, 0.15, 0.15, 0.20},
			device:  [nDevices]float64{0.80, 0.12, 0.08},
			hours:   []bump{{12.5, 0.9, 1}, {17.5, 1.2, 0.25}}, hourBase: 0.02,
			weekday:  [7]float64{1, 0.45, 0.45, 0.45, 0.45, 0.45, 1},
			cats:     [nCats]float64{0.04, 0.32, 0.05, 0.26, 0.04, 0.04, 0.22, 0.03},
			topics:   [nTopics]float64{0.30, 0.05, 0.05, 0.05, 0.25, 0.05, 0.10, 0.15},
			tenureLo: 150, tenureHi: 1500,
			sessLo: 2, sessHi: 6, sessLen: 4, login: 0.4,
			mix:   [nBrowse]float64{0.14, 0.40, 0.30, 0.16},
			ordLo: 5, ordHi: 14, extraLines: 0.25, priceMu: 0.15, priceSD: 0.08,
			discPLo: 0.70, discPHi: 0.92, discLo: 0.20, discHi: 0.50, extraQty: 0.3,
			socialP: 0.7, socialLo: 1, socialHi: 6,
			platforms: [nPlatforms]float64{0.35, 0.15, 0.45, 0.05},
			actions:   [nActions]float64{0.04, 0.50, 0.25, 0.11, 0.10},
		},
		{
			name:  "window_browsers",
			desc:  "many page and product views but rarely add to cart and 0-1 orders, mobile, late night, young",
			share: 0.29,
			ageLo: 18, ageHi: 30, female: 0.5, country: countries,
			channel: [nChannels]float64{0.35, 0.10, 0.40, 0.05, 0.10},
			device:  [nDevices]float64{0.85, 0.05, 0.10},
			hours:   []bump{{0.5, 1.4, 1}}, hourBase: 0.02,
			weekday:  [7]float64{1, 1, 1, 1, 1, 1, 1},
			cats:     [nCats]float64{0.25, 0.25, 0.10, 0.10, 0.12, 0.05, 0.03, 0.10},
			topics:   [nTopics]float64{0.10, 0.05, 0.20, 0.10, 0.05, 0.30, 0.20, 0.00},
			tenureLo: 60, tenureHi: 1100,
			sessLo: 6, sessHi: 14, sessLen: 5.5, login: 0.1,
			mix:      [nBrowse]float64{0.46, 0.05, 0.46, 0.03},
			ordFixed: []float64{0.88, 0.12}, extraLines: 0.2, priceMu: 0.45, priceSD: 0.15,
			discPLo: 0.1, discPHi: 0.3, discLo: 0.10, discHi: 0.30,
			socialP: 0.8, socialLo: 2, socialHi: 8,
			platforms: [nPlatforms]float64{0.25, 0.50, 0.05, 0.20},
			actions:   [nActions]float64{0.05, 0.62, 0.10, 0.13, 0.10},
		},
		{
			name:  "lapsed",
			desc:  "bought regularly in the first year, then nothing at all for the last 8+ months; older, desktop, mornings",
			share: 0.12,
			ageLo: 45, ageHi: 70, female: 0.48, country: countries,
			channel: [nChannels]float64{0.45, 0.10, 0.02, 0.30, 0.13},
			device:  [nDevices]float64{0.10, 0.75, 0.15},
			hours:   []bump{{8.5, 1.2, 1}, {15, 1.5, 0.15}}, hourBase: 0.015,
			weekday:  [7]float64{0.6, 1, 1, 1, 1, 1, 0.6},
			cats:     [nCats]float64{0.08, 0.08, 0.30, 0.06, 0.06, 0.22, 0.12, 0.08},
			topics:   [nTopics]float64{0.03, 0.20, 0.05, 0.10, 0.20, 0.02, 0.10, 0.30},
			tenureLo: 150, tenureHi: 1400, lapseLo: 240, lapseHi: 420,
			sessLo: 4, sessHi: 8, sessLen: 3.5, login: 0.6,
			mix:   [nBrowse]float64{0.32, 0.14, 0.34, 0.20},
			ordLo: 8, ordHi: 16, extraLines: 0.5, priceMu: 0.5, priceSD: 0.12,
			discPLo: 0.1, discPHi: 0.3, discLo: 0.10, discHi: 0.25,
			socialP: 0.35, socialLo: 0.5, socialHi: 3,
			platforms: [nPlatforms]float64{0.05, 0.00, 0.90, 0.05},
			actions:   [nActions]float64{0.05, 0.62, 0.12, 0.12, 0.09},
		},
		{
			name:  "new_users",
			desc:  "signed up in the last 45 days, few events and 0-2 orders, paid search or social, mixed ages",
			share: 0.10,
			ageLo: 18, ageHi: 65, female: 0.5, country: countries,
			channel: [nChannels]float64{0.10, 0.45, 0.35, 0.02, 0.08},
			device:  [nDevices]float64{0.50, 0.35, 0.15},
			hours:   []bump{{15, 3.5, 1}}, hourBase: 0.03,
			weekday:  [7]float64{1, 1, 1, 1, 1, 1, 1},
			cats:     [nCats]float64{0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125},
			topics:   [nTopics]float64{0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125},
			tenureLo: 1, tenureHi: 44,
			sessLo: 20, sessHi: 60, sessLen: 4, login: 0.3,
			mix:      [nBrowse]float64{0.38, 0.19, 0.29, 0.14},
			ordFixed: []float64{0.15, 0.70, 0.15}, extraLines: 0.4, priceMu: 0.45, priceSD: 0.2,
			discPLo: 0.2, discPHi: 0.5, discLo: 0.10, discHi: 0.30,
			socialP: 0.6, socialLo: 5, socialHi: 25,
			platforms: [nPlatforms]float64{0.30, 0.30, 0.20, 0.20},
			actions:   [nActions]float64{0.05, 0.55, 0.10, 0.10, 0.20},
		},
		{
			name:  "influencers",
			desc:  "heavy social activity (many posts, shares and comments) about fashion and travel, young, mobile, night, few purchases",
			share: 0.07,
			ageLo: 18, ageHi: 28, female: 0.68, country: countries,
			channel: [nChannels]float64{0.10, 0.05, 0.70, 0.02, 0.13},
			device:  [nDevices]float64{0.92, 0.03, 0.05},
			hours:   []bump{{22, 1.3, 1}}, hourBase: 0.02,
			weekday:  [7]float64{1, 1, 1, 1, 1, 1, 1},
			cats:     [nCats]float64{0.05, 0.45, 0.05, 0.30, 0.08, 0.03, 0.02, 0.02},
			topics:   [nTopics]float64{0.45, 0.35, 0.03, 0.03, 0.06, 0.02, 0.04, 0.02},
			tenureLo: 90, tenureHi: 1100,
			sessLo: 3, sessHi: 8, sessLen: 3, login: 0.2,
			mix:   [nBrowse]float64{0.49, 0.10, 0.34, 0.07},
			ordLo: 0.5, ordHi: 2, extraLines: 0.6, priceMu: 0.55, priceSD: 0.15,
			discPLo: 0.2, discPHi: 0.5, discLo: 0.10, discHi: 0.30,
			socialP: 1, socialLo: 40, socialHi: 110,
			platforms: [nPlatforms]float64{0.55, 0.40, 0.02, 0.03},
			actions:   [nActions]float64{0.30, 0.12, 0.25, 0.25, 0.08},
		},
		{
			name:  "noise",
			desc:  "random mixtures: each behaviour (demographics, habits, lifecycle, browsing, buying, social) taken from a different persona",
			share: 0.04,
			mixed: true,
		},
	}
}
