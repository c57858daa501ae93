package synth

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

const (
	day  = 86400
	year = 365 * day

	productsPerCat = 40
	returnRate     = 0.015 // chance that an order line is later returned
	flushAt        = 1 << 16
)

// Indexes into generator.bufs and the writers, in the order of the files.
const (
	outUsers = iota
	outEvents
	outTxns
	outSocial
	outTruth
	nOut
)

// product is one catalogue entry; price is the list price in cents.
type product struct {
	id    int
	price int64
}

// newCatalogue returns the products of each category sorted by list price.
// It uses its own fixed source, so the catalogue is the same for every seed.
func newCatalogue() [nCats][]product {
	r := rand.New(rand.NewPCG(2024, 12))
	// Median list price per category in cents, in categoryNames order.
	base := [nCats]float64{15000, 4000, 6000, 2500, 5000, 1500, 800, 3000}
	var byCat [nCats][]product
	id := 1
	for c := range byCat {
		ps := make([]product, productsPerCat)
		for i := range ps {
			p := base[c] * math.Exp(0.6*r.NormFloat64())
			cents := int64(math.Round(p/100))*100 - 1 // prices end in .99
			ps[i] = product{id: id, price: max(cents, 99)}
			id++
		}
		slices.SortStableFunc(ps, func(a, b product) int { return cmp.Compare(a.price, b.price) })
		byCat[c] = ps
	}
	return byCat
}

// event is one row of events.csv before session ids are assigned.
type event struct {
	t    int64
	sess int32 // per-user session number
	typ  uint8
	cat  int8 // -1: none
	dev  uint8
}

// line is one row of transactions.csv.
type line struct {
	t     int64
	order int
	cat   int
	prod  product
	qty   int
	disc  int // hundredths
}

// post is one row of social.csv.
type post struct {
	t                       int64
	platform, action, topic uint8
}

// user holds one user's drawn parameters.
type user struct {
	persona   int
	signup    int64
	from, to  int64 // active window, seconds since the epoch
	birthYear int
	gender    int
	country   int
	channel   int
	device    int
	stick     float64 // chance that a session is on the user's own device

	hourCum  [24]float64
	wdAccept [7]float64
	catCum   [nCats]float64
	topicCum [nTopics]float64
	platCum  [nPlatforms]float64
	actCum   [nActions]float64
	mixCum   [nBrowse]float64

	nSessions int
	sessLen   float64
	login     float64
	search    float64 // chance of a search before buying

	nOrders    int
	extraLines float64
	pricePref  float64
	priceSD    float64
	discP      float64
	discLo     float64
	discHi     float64
	extraQty   float64

	nSocial int
}

// Aspects of a user that the noise persona draws from different personas.
const (
	aspDemo = iota
	aspAcquisition
	aspHabits
	aspInterests
	aspLife
	aspBrowse
	aspBuy
	aspSocial
	nAspects
)

type generator struct {
	r       *rand.Rand
	profs   []profile
	pure    []int     // indexes of the personas noise users draw from
	season  []float64 // relative activity of each day of the window, <= 1
	day0    int64     // the window's first day, in days since the epoch
	catalog [nCats][]product
	end     int64
	start   int64
	endYear int
	users   int
	sum     Summary

	cats      [nCats]string
	topics    [nTopics]string
	platforms [nPlatforms]string
	actions   [nActions]string
	countries [nCountries]string
	channels  [nChannels]string
	devices   [nDevices]string
	genders   [3]string
	events    [nEventTypes]string

	bufs [nOut][]byte
	uid  []byte

	// Per-user scratch, reused.
	u       user
	evs     []event
	lines   []line
	posts   []post
	times   []int64
	sessMap []int32

	nextSession int
	nextOrder   int
}

func newGenerator(opts Options) *generator {
	g := &generator{
		r:         newRand(opts.Seed),
		profs:     profiles(),
		catalog:   newCatalogue(),
		end:       opts.End.Unix(),
		start:     opts.End.AddDate(-2, 0, 0).Unix(),
		endYear:   opts.End.Year(),
		users:     opts.Users,
		cats:      categoryNames(),
		topics:    topicNames(),
		platforms: platformNames(),
		actions:   actionNames(),
		countries: countryNames(),
		channels:  channelNames(),
		devices:   deviceNames(),
		genders:   genderNames(),
		events:    eventNames(),
	}
	for i := range g.bufs {
		g.bufs[i] = make([]byte, 0, flushAt+4096)
	}
	// Shopping peaks before Christmas and is quiet after it.
	month := [12]float64{0.8, 0.85, 0.95, 0.95, 1, 0.95, 0.9, 0.95, 1, 1, 1.2, 1.4}
	g.day0 = floorDiv(g.start, day)
	for d := g.day0; d <= floorDiv(g.end, day); d++ {
		_, m, _ := civil(d)
		g.season = append(g.season, month[m-1]/1.4)
	}
	for i, p := range g.profs {
		if !p.mixed {
			g.pure = append(g.pure, i)
		}
	}
	return g
}

// assignPersonas returns each user's persona index: exact shares by largest
// remainder, in shuffled order.
func (g *generator) assignPersonas() []uint8 {
	n := g.users
	counts := make([]int, len(g.profs))
	type rem struct {
		i int
		f float64
	}
	rems := make([]rem, len(g.profs))
	total := 0
	for i, p := range g.profs {
		x := p.share * float64(n)
		counts[i] = int(x)
		total += counts[i]
		rems[i] = rem{i, x - float64(counts[i])}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.f, a.f) })
	for k := 0; total < n; k++ {
		counts[rems[k%len(rems)].i]++
		total++
	}
	out := make([]uint8, 0, n)
	for i, c := range counts {
		for range c {
			out = append(out, uint8(i))
		}
	}
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// run generates every user and streams the rows to ws, the writers of the
// files at paths (in the out* order).
func (g *generator) run(ctx context.Context, ws []io.Writer, paths []string) error {
	g.sum.PersonaSizes = make(map[string]int, len(g.profs))
	for _, p := range g.profs {
		g.sum.PersonaSizes[p.name] = 0
	}
	g.bufs[outUsers] = append(g.bufs[outUsers], "user_id,signup_date,birth_year,gender,country,acquisition_channel,device\n"...)
	g.bufs[outEvents] = append(g.bufs[outEvents], "user_id,timestamp,session_id,event_type,category,device\n"...)
	g.bufs[outTxns] = append(g.bufs[outTxns], "user_id,order_id,timestamp,product_id,category,quantity,unit_price,discount\n"...)
	g.bufs[outSocial] = append(g.bufs[outSocial], "user_id,timestamp,platform,action,topic\n"...)
	g.bufs[outTruth] = append(g.bufs[outTruth], "user_id,persona\n"...)

	personas := g.assignPersonas()
	for i, p := range personas {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("synth: generate user %d of %d: %w", i+1, g.users, err)
		}
		g.uid = appendID(g.uid[:0], 'U', i+1, 6)
		g.drawUser(int(p))
		g.simulate()
		g.writeUser()
		g.sum.PersonaSizes[g.profs[p].name]++
		for k := range g.bufs {
			if len(g.bufs[k]) >= flushAt {
				if _, err := ws[k].Write(g.bufs[k]); err != nil {
					return fmt.Errorf("synth: write %s: %w", paths[k], err)
				}
				g.bufs[k] = g.bufs[k][:0]
			}
		}
	}
	for k := range g.bufs {
		if _, err := ws[k].Write(g.bufs[k]); err != nil {
			return fmt.Errorf("synth: write %s: %w", paths[k], err)
		}
		g.bufs[k] = g.bufs[k][:0]
	}
	g.sum.Users = g.users
	return nil
}

// drawUser fills g.u with the parameters of a user of persona p.
func (g *generator) drawUser(p int) {
	r := g.r
	u := &g.u
	*u = user{persona: p}
	var asp [nAspects]*profile
	for a := range asp {
		if g.profs[p].mixed {
			asp[a] = &g.profs[g.pure[r.IntN(len(g.pure))]]
		} else {
			asp[a] = &g.profs[p]
		}
	}

	// Lifecycle first: the rates below scale with the active time.
	pr := asp[aspLife]
	lapse := 0.0
	if pr.lapseHi > 0 {
		lapse = uniform(r, pr.lapseLo, pr.lapseHi)
	}
	u.to = g.end - int64(lapse*day)
	u.signup = u.to - int64(uniform(r, pr.tenureLo, pr.tenureHi)*day)
	u.from = max(u.signup, g.start)
	active := float64(u.to-u.from) / year

	pr = asp[aspDemo]
	age := uniform(r, pr.ageLo, pr.ageHi)
	if r.Float64() < 0.04 {
		age = uniform(r, 18, 75)
	}
	u.birthYear = g.endYear - int(age)
	switch x := r.Float64(); {
	case x < 0.02:
		u.gender = 2
	case x < 0.02+0.98*pr.female:
		u.gender = 0
	default:
		u.gender = 1
	}
	u.country = pickW(r, pr.country[:])

	pr = asp[aspAcquisition]
	if r.Float64() < 0.08 {
		u.channel = r.IntN(nChannels)
	} else {
		u.channel = pickW(r, pr.channel[:])
	}
	u.device = pickW(r, pr.device[:])
	u.stick = uniform(r, 0.75, 0.95)

	pr = asp[aspHabits]
	shift := 0.7 * r.NormFloat64()
	for h := range u.hourCum {
		w := pr.hourBase
		for _, b := range pr.hours {
			d := math.Abs(float64(h) + 0.5 - b.center - shift)
			d = math.Min(d, 24-d)
			w += b.weight * math.Exp(-d*d/(2*b.width*b.width))
		}
		u.hourCum[h] = w * math.Exp(0.25*r.NormFloat64())
	}
	cumulate(u.hourCum[:])
	wmax := 0.0
	for d := range u.wdAccept {
		u.wdAccept[d] = pr.weekday[d] * math.Exp(0.2*r.NormFloat64())
		wmax = math.Max(wmax, u.wdAccept[d])
	}
	for d := range u.wdAccept {
		u.wdAccept[d] /= wmax
	}

	pr = asp[aspInterests]
	jitter(r, u.catCum[:], pr.cats[:], 0.6)
	jitter(r, u.topicCum[:], pr.topics[:], 0.6)

	pr = asp[aspBrowse]
	u.nSessions = poisson(r, uniform(r, pr.sessLo, pr.sessHi)*active)
	u.sessLen = pr.sessLen * math.Exp(0.2*r.NormFloat64())
	jitter(r, u.mixCum[:], pr.mix[:], 0.25)
	u.login = pr.login
	u.search = math.Min(1, 1.6*pr.mix[evSearch])

	pr = asp[aspBuy]
	if pr.ordFixed != nil {
		u.nOrders = pickW(r, pr.ordFixed)
	} else {
		u.nOrders = poisson(r, uniform(r, pr.ordLo, pr.ordHi)*active)
	}
	u.extraLines = pr.extraLines
	u.pricePref = pr.priceMu + pr.priceSD*r.NormFloat64()
	u.priceSD = 0.12
	u.discP = uniform(r, pr.discPLo, pr.discPHi)
	u.discLo, u.discHi = pr.discLo, pr.discHi
	u.extraQty = pr.extraQty

	pr = asp[aspSocial]
	if r.Float64() < pr.socialP {
		u.nSocial = poisson(r, uniform(r, pr.socialLo, pr.socialHi)*active)
	}
	jitter(r, u.platCum[:], pr.platforms[:], 0.4)
	jitter(r, u.actCum[:], pr.actions[:], 0.25)
}

// simulate draws the user's sessions, orders and social activity into the
// scratch slices, sorted by time.
func (g *generator) simulate() {
	r := g.r
	u := &g.u
	g.evs = g.evs[:0]
	g.lines = g.lines[:0]
	g.posts = g.posts[:0]
	var sess int32
	latest := u.to - 3600 // sessions start at least an hour before the end

	for range u.nSessions {
		t := g.when(u.from, latest)
		dev := g.sessionDevice()
		if r.Float64() < u.login {
			g.evs = append(g.evs, event{t: t, sess: sess, typ: evLogin, cat: -1, dev: dev})
			t += gap(r)
		}
		n := min(1+poisson(r, u.sessLen-1), 30)
		cat := int8(pickCum(r, u.catCum[:]))
		prev := uint8(evLogin)
		for k := range n {
			typ := uint8(pickCum(r, u.mixCum[:]))
			switch {
			case k == 0 && typ != evSearch:
				typ = evPageView // a visit lands on a page or starts with a search
			case typ == evAddToCart && prev != evProductView:
				typ = evProductView // only a viewed product goes into the cart
			}
			c := int8(-1)
			if typ != evSearch {
				if typ != evAddToCart && r.Float64() < 0.3 {
					cat = int8(pickCum(r, u.catCum[:]))
				}
				c = cat
			}
			g.evs = append(g.evs, event{t: t, sess: sess, typ: typ, cat: c, dev: dev})
			t += gap(r)
			prev = typ
		}
		sess++
	}

	// Orders: each one is a session that ends in a checkout.
	g.times = g.times[:0]
	for range u.nOrders {
		g.times = append(g.times, g.when(u.from, latest))
	}
	slices.Sort(g.times)
	for _, t := range g.times {
		order := g.nextOrder
		g.nextOrder++
		dev := g.sessionDevice()
		if r.Float64() < u.login {
			g.evs = append(g.evs, event{t: t, sess: sess, typ: evLogin, cat: -1, dev: dev})
			t += gap(r)
		}
		if r.Float64() < u.search {
			g.evs = append(g.evs, event{t: t, sess: sess, typ: evSearch, cat: -1, dev: dev})
		} else {
			c := int8(pickCum(r, u.catCum[:]))
			g.evs = append(g.evs, event{t: t, sess: sess, typ: evPageView, cat: c, dev: dev})
		}
		t += gap(r)
		first := len(g.lines)
		nl := min(1+poisson(r, u.extraLines), 8)
		for range nl {
			cat := pickCum(r, u.catCum[:])
			prod := g.product(cat)
			same := g.lineOf(first, prod.id)
			if same >= 0 {
				prod = g.product(cat) // one more look, then add to the cart line
				same = g.lineOf(first, prod.id)
			}
			for range 1 + poisson(r, 0.3) {
				g.evs = append(g.evs, event{t: t, sess: sess, typ: evProductView, cat: int8(cat), dev: dev})
				t += gap(r)
			}
			g.evs = append(g.evs, event{t: t, sess: sess, typ: evAddToCart, cat: int8(cat), dev: dev})
			t += gap(r)
			qty := 1 + poisson(r, u.extraQty)
			if cat == 6 { // grocery comes in multiples
				qty += poisson(r, 0.8)
			}
			if same >= 0 {
				g.lines[same].qty += qty
				continue
			}
			g.lines = append(g.lines, line{order: order, cat: cat, prod: prod, qty: qty, disc: g.discount()})
		}
		g.evs = append(g.evs, event{t: t, sess: sess, typ: evCheckout, cat: -1, dev: dev})
		last := len(g.lines)
		for k := first; k < last; k++ {
			g.lines[k].t = t
		}
		for k := first; k < last; k++ {
			if r.Float64() >= returnRate || t+2*day >= u.to {
				continue
			}
			back := g.lines[k]
			back.t = g.when(t+2*day, min(t+30*day, u.to))
			back.qty = -(1 + r.IntN(back.qty))
			g.lines = append(g.lines, back)
		}
		sess++
	}

	for range u.nSocial {
		g.posts = append(g.posts, post{
			t:        g.when(u.from, u.to),
			platform: uint8(pickCum(r, u.platCum[:])),
			action:   uint8(pickCum(r, u.actCum[:])),
			topic:    uint8(pickCum(r, u.topicCum[:])),
		})
	}

	slices.SortStableFunc(g.evs, func(a, b event) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return cmp.Compare(a.sess, b.sess)
	})
	slices.SortStableFunc(g.lines, func(a, b line) int { return cmp.Compare(a.t, b.t) })
	slices.SortStableFunc(g.posts, func(a, b post) int { return cmp.Compare(a.t, b.t) })

	// Session ids are global and numbered in order of first appearance.
	g.sessMap = slices.Grow(g.sessMap[:0], int(sess))[:sess]
	for i := range g.sessMap {
		g.sessMap[i] = -1
	}
	for i := range g.evs {
		e := &g.evs[i]
		if g.sessMap[e.sess] < 0 {
			g.sessMap[e.sess] = int32(g.nextSession)
			g.nextSession++
		}
		e.sess = g.sessMap[e.sess]
	}
}

// lineOf returns the index of the line for product id among the lines from
// first on (the current order), or -1.
func (g *generator) lineOf(first, id int) int {
	for k := first; k < len(g.lines); k++ {
		if g.lines[k].prod.id == id {
			return k
		}
	}
	return -1
}

// sessionDevice returns the device of a new session: mostly the user's own.
func (g *generator) sessionDevice() uint8 {
	if g.r.Float64() < g.u.stick {
		return uint8(g.u.device)
	}
	return uint8(g.r.IntN(nDevices))
}

// product draws a product of category cat near the user's price preference.
func (g *generator) product(cat int) product {
	ps := g.catalog[cat]
	q := g.u.pricePref + g.u.priceSD*g.r.NormFloat64()
	i := int(math.Round(q * float64(len(ps)-1)))
	return ps[min(max(i, 0), len(ps)-1)]
}

// discount draws the discount of one order line in hundredths, in steps of
// five.
func (g *generator) discount() int {
	u := &g.u
	if g.r.Float64() >= u.discP {
		return 0
	}
	d := uniform(g.r, u.discLo, u.discHi)
	return min(int(math.Round(d*20))*5, 90)
}

// seasonal returns the relative activity (<= 1) of day d.
func (g *generator) seasonal(d int64) float64 {
	if i := d - g.day0; i >= 0 && i < int64(len(g.season)) {
		return g.season[i]
	}
	return 1
}

// when draws a moment in [from, to] that follows the season and the
// user's weekday and hour-of-day habits.
func (g *generator) when(from, to int64) int64 {
	r := g.r
	if to <= from {
		return from
	}
	d0, d1 := floorDiv(from, day), floorDiv(to, day)
	for try := 0; try < 100; try++ {
		d := d0 + r.Int64N(d1-d0+1)
		if try < 50 && r.Float64() >= g.u.wdAccept[weekday(d)]*g.seasonal(d) {
			continue
		}
		h := int64(pickCum(r, g.u.hourCum[:]))
		t := d*day + h*3600 + r.Int64N(3600)
		if t >= from && t <= to {
			return t
		}
	}
	return from + r.Int64N(to-from+1)
}

// writeUser appends the current user's rows to the output buffers.
func (g *generator) writeUser() {
	u := &g.u
	uid := g.uid

	b := g.bufs[outUsers]
	b = append(b, uid...)
	b = append(b, ',')
	b = appendDate(b, u.signup)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(u.birthYear), 10)
	b = append(b, ',')
	b = append(b, g.genders[u.gender]...)
	b = append(b, ',')
	b = append(b, g.countries[u.country]...)
	b = append(b, ',')
	b = append(b, g.channels[u.channel]...)
	b = append(b, ',')
	b = append(b, g.devices[u.device]...)
	b = append(b, '\n')
	g.bufs[outUsers] = b

	b = g.bufs[outTruth]
	b = append(b, uid...)
	b = append(b, ',')
	b = append(b, g.profs[u.persona].name...)
	b = append(b, '\n')
	g.bufs[outTruth] = b

	b = g.bufs[outEvents]
	for _, e := range g.evs {
		b = append(b, uid...)
		b = append(b, ',')
		b = appendTimestamp(b, e.t)
		b = append(b, ',')
		b = appendID(b, 'S', int(e.sess)+1, 8)
		b = append(b, ',')
		b = append(b, g.events[e.typ]...)
		b = append(b, ',')
		if e.cat >= 0 {
			b = append(b, g.cats[e.cat]...)
		}
		b = append(b, ',')
		b = append(b, g.devices[e.dev]...)
		b = append(b, '\n')
	}
	g.bufs[outEvents] = b
	g.sum.Events += len(g.evs)

	b = g.bufs[outTxns]
	for _, l := range g.lines {
		b = append(b, uid...)
		b = append(b, ',')
		b = appendID(b, 'O', l.order+1, 7)
		b = append(b, ',')
		b = appendTimestamp(b, l.t)
		b = append(b, ',')
		b = appendID(b, 'P', l.prod.id, 4)
		b = append(b, ',')
		b = append(b, g.cats[l.cat]...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(l.qty), 10)
		b = append(b, ',')
		b = appendFixed2(b, l.prod.price)
		b = append(b, ',')
		b = appendFixed2(b, int64(l.disc))
		b = append(b, '\n')
	}
	g.bufs[outTxns] = b
	g.sum.Transactions += len(g.lines)

	b = g.bufs[outSocial]
	for _, p := range g.posts {
		b = append(b, uid...)
		b = append(b, ',')
		b = appendTimestamp(b, p.t)
		b = append(b, ',')
		b = append(b, g.platforms[p.platform]...)
		b = append(b, ',')
		b = append(b, g.actions[p.action]...)
		b = append(b, ',')
		b = append(b, g.topics[p.topic]...)
		b = append(b, '\n')
	}
	g.bufs[outSocial] = b
	g.sum.Social += len(g.posts)
}

// gap returns the seconds between two events of a session.
func gap(r *rand.Rand) int64 { return 5 + r.Int64N(115) }

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// poisson draws a Poisson variate with the given mean (normal
// approximation above 30).
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean < 30 {
		l := math.Exp(-mean)
		k, p := 0, r.Float64()
		for p > l {
			k++
			p *= r.Float64()
		}
		return k
	}
	return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
}

// cumulate turns weights into cumulative weights in place.
func cumulate(w []float64) {
	s := 0.0
	for i, x := range w {
		s += x
		w[i] = s
	}
}

// jitter writes into dst the cumulative weights of w, each multiplied by
// exp(sd·N(0,1)) plus a small floor, so that every user's tastes differ.
func jitter(r *rand.Rand, dst, w []float64, sd float64) {
	for i, x := range w {
		dst[i] = x*math.Exp(sd*r.NormFloat64()) + 0.005
	}
	cumulate(dst)
}

// pickCum draws an index with probability proportional to the increments
// of the cumulative weights cum.
func pickCum(r *rand.Rand, cum []float64) int {
	u := r.Float64() * cum[len(cum)-1]
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

// pickW draws an index with probability proportional to the weights w.
func pickW(r *rand.Rand, w []float64) int {
	s := 0.0
	for _, x := range w {
		s += x
	}
	u := r.Float64() * s
	for i, x := range w {
		u -= x
		if u < 0 {
			return i
		}
	}
	return len(w) - 1
}
