package server

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/chart"
	"github.com/persona-seg/persona/chart/vega"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/report"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"pct": func(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" },
	"num": func(v float64) string {
		if math.Abs(v) >= 1000 {
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'g', 4, 64)
	},
	"signed": func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) },
	"money":  func(v *float64) string { return money(v) },
	"label":  func(name string) string { return features.Label(name, "") },
	"inunit": features.Format,
	"pctp": func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(100**v, 'f', 1, 64) + "%"
	},
	"deref": func(v *float64) float64 {
		if v == nil {
			return 0
		}
		return *v
	},
	"colour": func(i int) string {
		c := chart.SegmentColor(i)
		return "#" + hex2(c.R) + hex2(c.G) + hex2(c.B)
	},
}).ParseFS(templateFS, "templates/*.html"))

// money formats an amount: whole units with thousands separators from
// 100 up, cents below; "" for none.
func money(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return ""
	}
	x := *v
	if math.Abs(x) < 100 {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	digits := strconv.FormatFloat(math.Abs(x), 'f', 0, 64)
	var b strings.Builder
	if x < 0 {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func hex2(v uint8) string { return string([]byte{"0123456789abcdef"[v>>4], "0123456789abcdef"[v&0xf]}) }

// charts are a run's dashboard charts: the report's interactive charts
// when the run's report stored them (report.ChartsFile beside the served
// report.html), else the few the server draws from the run's results.
// Either way they are Vega-Lite specs (package chart/vega) that the page's
// scripts render, read or drawn once per run.
type charts struct {
	overview []chartSection
	// segment holds each segment's own charts, by segment id.
	segment map[int][]chartFig
	// fromReport says the charts are the report's.
	fromReport bool
	err        error
}

// chartSection is a titled group of charts on the overview ("" for the
// server's own).
type chartSection struct {
	ID, Title string
	Charts    []chartFig
}

type chartFig struct {
	HTML    template.HTML
	Caption string
}

func (s *Server) charts(sn *snapshot) *charts {
	sn.chartsOnce.Do(func() {
		if s.opts.Report != "" {
			path := filepath.Join(filepath.Dir(s.opts.Report), filepath.FromSlash(report.ChartsFile))
			c, err := reportCharts(sn.res, path)
			if err == nil {
				sn.chartSet = c
				return
			}
			if !errors.Is(err, fs.ErrNotExist) {
				s.opts.Logger.Warn("dashboard: the report's charts are not shown; drawing the run's own", "err", err)
			}
		}
		sn.chartSet = drawCharts(sn.res)
	})
	return sn.chartSet
}

// reportCharts reads the report's interactive charts from path, when they
// draw the run res (the same segments, names and sizes).
func reportCharts(res *persona.Results, path string) (*charts, error) {
	rc, err := report.ReadCharts(path)
	if err != nil {
		return nil, err
	}
	segs := res.Profiles.Segments
	same := len(rc.Segments) == len(segs)
	for i := 0; same && i < len(segs); i++ {
		same = rc.Segments[i] == report.ChartSegment{ID: segs[i].ID, Name: segs[i].Name, Size: segs[i].Size}
	}
	if !same {
		return nil, fmt.Errorf("%s: its segments are not those of run %s (a report of another run)", report.ChartsFile, res.Run.ID)
	}
	c := &charts{segment: map[int][]chartFig{}, fromReport: true}
	for _, ch := range rc.Charts {
		h, err := vega.RawHTML(ch.ID, ch.Spec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", report.ChartsFile, err)
		}
		fig := chartFig{HTML: template.HTML(h), Caption: ch.Caption}
		if ch.Segment != nil {
			c.segment[*ch.Segment] = append(c.segment[*ch.Segment], fig)
			continue
		}
		if n := len(c.overview); n == 0 || c.overview[n-1].ID != ch.Section {
			c.overview = append(c.overview, chartSection{ID: ch.Section, Title: ch.SectionTitle})
		}
		sec := &c.overview[len(c.overview)-1]
		sec.Charts = append(sec.Charts, fig)
	}
	return c, nil
}

// vegaSegments names and colours the run's segments as the report does:
// DBSCAN's unsegmented group (last, as profile orders it) in grey.
func vegaSegments(segs []profile.Segment) []vega.Segment {
	out := make([]vega.Segment, len(segs))
	for i, s := range segs {
		c := chart.SegmentColor(i)
		if s.ID == profile.Unsegmented && i == len(segs)-1 {
			c = chart.UnsegmentedColor()
		}
		out[i] = vega.Segment{ID: s.ID, Name: s.Name, Color: "#" + hex2(c.R) + hex2(c.G) + hex2(c.B)}
	}
	return out
}

func drawCharts(res *persona.Results) *charts {
	c := &charts{overview: []chartSection{{}}}
	segs := res.Profiles.Segments
	vs := vegaSegments(segs)
	add := func(id string, spec vega.Spec) {
		c.overview[0].Charts = append(c.overview[0].Charts, chartFig{HTML: template.HTML(vega.HTML(id, spec))})
	}
	users := make([]int, len(segs))
	for i, s := range segs {
		users[i] = s.Size
	}
	add("chart-sizes", vega.Sizes(vega.SizesSpec{Title: "Users per segment", Segments: vs, Users: users}))
	// The features that tell segments apart most: the largest |z| anywhere.
	rows := topFeatures(segs, 12)
	if len(rows) > 0 {
		z := make([][]float64, len(segs))
		means := make([][]float64, len(segs))
		for i := range segs {
			for _, f := range rows {
				st, ok := segs[i].Feature(f)
				zv, mv := math.NaN(), math.NaN()
				if ok {
					zv, mv = st.Z, st.Mean
				}
				z[i] = append(z[i], zv)
				means[i] = append(means[i], mv)
			}
		}
		labels := make([]string, len(rows))
		for j, f := range rows {
			labels[j] = features.Label(f, "")
		}
		add("chart-heatmap", vega.Heatmap(vega.HeatmapSpec{Title: "What sets the segments apart", Segments: vs, Features: labels, About: rows, Z: z, Values: means,
			Caption: "Segment mean − base mean, in standard deviations of the base; hover a cell for the segment's mean."}))
	}
	labels := make([][]string, len(segs))
	values := make([][]float64, len(segs))
	hasTraits := false
	for i, s := range segs {
		for _, t := range s.Top[:min(len(s.Top), 6)] {
			labels[i] = append(labels[i], features.Label(t.Feature, ""))
			values[i] = append(values[i], t.Z)
			hasTraits = true
		}
	}
	if hasTraits {
		add("chart-traits", vega.Traits(vega.TraitsSpec{Title: "Distinctive traits of each segment", Segments: vs, Labels: labels, Z: values}))
	}
	if boxes := rfmBoxes(res); boxes != nil {
		add("chart-rfm", vega.Boxes(vega.BoxesSpec{Title: "Recency, frequency and monetary value", Segments: vs, Panels: boxes,
			Caption: "Days since the last order (over the segment's buyers), orders and net spend per segment; hover a box for its quartiles."}))
	}
	if boxes := valueBoxes(res); boxes != nil {
		add("chart-value", vega.Boxes(vega.BoxesSpec{Title: "Customer value: lifetime value and P(alive) per segment", Segments: vs, Panels: boxes,
			Caption: "Over each segment's customers (members with a purchase); hover a box for its quartiles."}))
	}
	if cells, err := rfmCells(res); err != nil {
		c.err = err
	} else if len(cells) > 0 {
		add("chart-rfm-grid", vega.Grid(vega.GridSpec{Title: "RFM grid: recency × frequency, coloured by spend", Segments: vs, Cells: cells,
			Caption: "Buyers by recency score (across, 5 = most recent) and frequency score (up), quintiles over all buyers; hover a cell for its RFM group."}))
	}
	return c
}

// segmentIndex gives each user of res the index of its segment in
// res.Profiles.Segments, -1 for none.
func segmentIndex(res *persona.Results) []int {
	index := map[int]int{}
	for i, s := range res.Profiles.Segments {
		index[s.ID] = i
	}
	out := make([]int, len(res.Segments))
	for i, l := range res.Segments {
		k, ok := index[l]
		if !ok {
			k = -1
		}
		out[i] = k
	}
	return out
}

// fiveNum summarises v (sorted in place); vega.NoBox when v is empty.
func fiveNum(v []float64) vega.FiveNum {
	if len(v) == 0 {
		return vega.NoBox()
	}
	sort.Float64s(v)
	q := func(p float64) float64 { return profile.Quantile(v, p) }
	return vega.FiveNum{Min: q(0), Q1: q(0.25), Median: q(0.5), Q3: q(0.75), Max: q(1)}
}

// rfmBoxes are the report's RFM box plots drawn from the run's features:
// recency over each segment's buyers (a segment without any has none),
// frequency and monetary over all its members; nil without those
// features.
func rfmBoxes(res *persona.Results) []vega.BoxPanel {
	cols := [3]int{slices.Index(res.FeatureNames, features.RecencyDays), slices.Index(res.FeatureNames, features.Frequency), slices.Index(res.FeatureNames, features.Monetary)}
	if slices.Contains(cols[:], -1) || len(res.Segments) == 0 {
		return nil
	}
	k := len(res.Profiles.Segments)
	vals := make([][3][]float64, k)
	d := len(res.FeatureNames)
	for i, p := range segmentIndex(res) {
		if p < 0 {
			continue
		}
		row := res.X[i*d : (i+1)*d]
		for f, c := range cols {
			if f == 0 && row[cols[1]] <= 0 {
				continue // never bought: no recency
			}
			vals[p][f] = append(vals[p][f], row[c])
		}
	}
	panels := []vega.BoxPanel{
		{Title: "Recency", XTitle: "days since the last order", Format: ",.0f", None: "nobody in this segment bought"},
		{Title: "Frequency", XTitle: "orders", Log: true, Format: ",.4~g"},
		{Title: "Monetary", XTitle: "net spend", Log: true, Format: ",.2f"},
	}
	for p := range k {
		for f := range panels {
			panels[f].Boxes = append(panels[f].Boxes, fiveNum(vals[p][f]))
		}
	}
	return panels
}

// valueBoxes are the report's customer-value box plots drawn from the
// run's values: CLV (when the run had amounts) and P(alive) over each
// segment's customers; nil without values.
func valueBoxes(res *persona.Results) []vega.BoxPanel {
	if res.Values == nil {
		return nil
	}
	k := len(res.Profiles.Segments)
	clv, alive := make([][]float64, k), make([][]float64, k)
	money := false
	for i, p := range segmentIndex(res) {
		c := res.Values.Users[i]
		if p < 0 || !c.Customer {
			continue
		}
		if !math.IsNaN(c.PAlive) {
			alive[p] = append(alive[p], c.PAlive)
		}
		if !math.IsNaN(c.CLV) {
			clv[p] = append(clv[p], c.CLV)
			money = true
		}
	}
	panel := func(title, x string, log bool, format string, v [][]float64) vega.BoxPanel {
		b := vega.BoxPanel{Title: title, XTitle: x, Log: log, Format: format, None: "no customers in this segment"}
		for _, s := range v {
			b.Boxes = append(b.Boxes, fiveNum(s))
		}
		return b
	}
	var out []vega.BoxPanel
	if money {
		out = append(out, panel("Lifetime value", fmt.Sprintf("CLV, next %d months", res.Values.HorizonMonths), true, ",.2f", clv))
	}
	return append(out, panel("P(alive)", "probability of still being a customer", false, ".3f", alive))
}

// rfmCells is the RFM grid of the run's users, from its recency_days,
// frequency and monetary features; nil when the run has none of them.
func rfmCells(res *persona.Results) ([]vega.GridCell, error) {
	col := func(name string) int {
		for j, n := range res.FeatureNames {
			if n == name {
				return j
			}
		}
		return -1
	}
	r, f, m := col(features.RecencyDays), col(features.Frequency), col(features.Monetary)
	if r < 0 || f < 0 || m < 0 || len(res.Segments) == 0 {
		return nil, nil
	}
	index := map[int]int{}
	for i, s := range res.Profiles.Segments {
		index[s.ID] = i
	}
	n, d := len(res.Segments), len(res.FeatureNames)
	rec, freq, mon := make([]float64, n), make([]float64, n), make([]float64, n)
	seg := make([]int, n)
	for i := range n {
		rec[i], freq[i], mon[i] = res.X[i*d+r], res.X[i*d+f], res.X[i*d+m]
		k, ok := index[res.Segments[i]]
		if !ok {
			k = -1
		}
		seg[i] = k
	}
	grid, err := report.RFMGrid(rec, freq, mon, seg, len(res.Profiles.Segments))
	if err != nil {
		return nil, err
	}
	out := make([]vega.GridCell, len(grid))
	for i, c := range grid {
		out[i] = vega.GridCell{Seg: c.Segment, Recency: c.R, Frequency: c.F, Users: c.Users, Monetary: c.Monetary, Group: c.Group}
	}
	return out, nil
}

func topFeatures(segs []profile.Segment, k int) []string {
	best := map[string]float64{}
	for _, s := range segs {
		for _, f := range s.Features {
			if a := math.Abs(f.Z); a > best[f.Feature] {
				best[f.Feature] = a
			}
		}
	}
	var out []string
	for f := range best {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if best[out[i]] != best[out[j]] {
			return best[out[i]] > best[out[j]]
		}
		return out[i] < out[j]
	})
	return out[:min(k, len(out))]
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", dashboardCSP)
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// dashboardCSP lets the pages run only the server's own scripts (Vega
// runs its expressions with its interpreter, so no eval), fetch only the
// server's API, and load nothing from elsewhere. Vega's tooltip adds an
// inline style element.
const dashboardCSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"

type pageBase struct {
	Title   string
	RunID   string
	Users   int
	Query   string
	Scripts []string // the chart scripts, under /assets/vega/
	Report  bool     // the run's full report is served at /report
}

func (s *Server) base(sn *snapshot, title string) pageBase {
	var scripts []string
	for _, f := range vega.ScriptFiles() {
		scripts = append(scripts, "/assets/vega/"+f)
	}
	return pageBase{Title: title, RunID: sn.res.Run.ID, Users: sn.users.len(), Scripts: scripts, Report: s.opts.Report != ""}
}

type segRow struct {
	Index int
	*profile.Segment
	// OutcomeCells are the segment's value of each of the page's outcome
	// columns, in order; nil entries have no value.
	OutcomeCells []*profile.OutcomeStat
}

// valueColumns says which customer-value columns (profile.SegmentValue,
// docs/value.md) the segment table has: none when no segment has value
// figures, the CLV columns only when the run had amounts.
type valueColumns struct {
	Any, CLV  bool
	Horizon   string  // "12 months"
	LostBelow float64 // the P(alive) threshold of "likely lost"
}

func valueColumnsOf(res *persona.Results) valueColumns {
	var v valueColumns
	for _, s := range res.Profiles.Segments {
		if s.Value == nil {
			continue
		}
		v.Any = true
		v.CLV = v.CLV || s.Value.MeanCLV != nil
		v.LostBelow = s.Value.LostBelow
	}
	if res.Values != nil {
		v.Horizon = strconv.Itoa(res.Values.HorizonMonths) + " months"
		v.LostBelow = res.Values.LostBelow
	}
	return v
}

// outcomeColumn is an outcome (churned, revenue next quarter, ...) shown
// as a column of the segment table, with its value over the whole base.
type outcomeColumn struct {
	Name string
	Rate bool
	Base float64
}

// outcomeColumns lists the run's outcomes, as the base's profile has them,
// and fills each row's value of them.
func outcomeColumns(rep *profile.Report, rows []segRow) []outcomeColumn {
	var cols []outcomeColumn
	for _, o := range rep.Outcomes {
		cols = append(cols, outcomeColumn{Name: o.Name, Rate: o.Kind == profile.OutcomeRate, Base: o.Value})
	}
	for i := range rows {
		rows[i].OutcomeCells = make([]*profile.OutcomeStat, len(cols))
		for j, c := range cols {
			for k := range rows[i].Segment.Outcomes {
				if o := &rows[i].Segment.Outcomes[k]; o.Name == c.Name {
					rows[i].OutcomeCells[j] = o
				}
			}
		}
	}
	return cols
}

func (s *Server) handleOverview(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	c := s.charts(sn)
	if c.err != nil {
		s.opts.Logger.Warn("dashboard charts", "err", c.err)
	}
	var rows []segRow
	for i := range sn.res.Profiles.Segments {
		rows = append(rows, segRow{Index: i, Segment: &sn.res.Profiles.Segments[i]})
	}
	outcomes := outcomeColumns(sn.res.Profiles, rows)
	s.render(w, r, http.StatusOK, "overview.html", struct {
		pageBase
		Segments  []segRow
		Outcomes  []outcomeColumn
		Value     valueColumns
		Charts    []chartSection
		Algorithm string
		Created   string
		Movement  *movement
	}{s.base(sn, "Segments"), rows, outcomes, valueColumnsOf(sn.res), c.overview, string(sn.res.Model.Algorithm), sn.res.Run.CreatedAt.Format("2006-01-02 15:04 MST"), s.movement(r.Context(), sn)})
}

func (s *Server) handleSegmentPage(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	id, err := segmentID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	idx := -1
	for i := range sn.res.Profiles.Segments {
		if sn.res.Profiles.Segments[i].ID == id {
			idx = i
		}
	}
	if idx < 0 {
		s.render(w, r, http.StatusNotFound, "notfound.html", struct {
			pageBase
			What string
		}{s.base(sn, "Not found"), "Segment " + strconv.Itoa(id)})
		return
	}
	seg := &sn.res.Profiles.Segments[idx]
	feats := append([]profile.FeatureStat(nil), seg.Features...)
	sort.SliceStable(feats, func(i, j int) bool { return math.Abs(feats[i].Z) > math.Abs(feats[j].Z) })
	var figs []chartFig
	if c := s.charts(sn); c.segment != nil {
		figs = c.segment[seg.ID]
	}
	s.render(w, r, http.StatusOK, "segment.html", struct {
		pageBase
		Index    int
		Segment  *profile.Segment
		Features []profile.FeatureStat
		Charts   []chartFig
	}{s.base(sn, seg.Name), idx, seg, feats, figs})
}

func (s *Server) handleUserSearch(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.URL.Query().Get("id"))
	if id == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/users/"+pathEscape(id), http.StatusSeeOther)
}

func pathEscape(s string) string {
	return strings.ReplaceAll(template.URLQueryEscaper(s), "+", "%20")
}

type featureRow struct {
	Name  string
	Value float64
	Z     float64
	Base  float64
}

func (s *Server) handleUserPage(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	id := r.PathValue("id")
	i, ok := sn.users.find(id)
	if !ok {
		b := s.base(sn, "User not found")
		b.Query = id
		s.render(w, r, http.StatusNotFound, "notfound.html", struct {
			pageBase
			What string
		}{b, "User " + strconv.Quote(id)})
		return
	}
	res := sn.res
	segID := res.Segments[i]
	idx := -1
	for k := range res.Profiles.Segments {
		if res.Profiles.Segments[k].ID == segID {
			idx = k
		}
	}
	baseStat := map[string]profile.BaseStat{}
	for _, b := range res.Profiles.Base {
		baseStat[b.Feature] = b
	}
	var feats []featureRow
	for j, v := range res.Row(i) {
		name := res.FeatureNames[j]
		b := baseStat[name]
		if b.Constant {
			continue // the same for everyone (or its dataset is absent): nothing to show
		}
		z := 0.0
		if b.Std > 0 {
			z = (v - b.Mean) / b.Std
		}
		feats = append(feats, featureRow{name, v, z, b.Mean})
	}
	sort.SliceStable(feats, func(a, b int) bool { return math.Abs(feats[a].Z) > math.Abs(feats[b].Z) })
	b := s.base(sn, "User "+id)
	b.Query = id
	s.render(w, r, http.StatusOK, "user.html", struct {
		pageBase
		UserID          string
		Index           int
		Segment         *profile.Segment
		SegmentID       int
		SegmentName     string
		Distance        float64
		Features        []featureRow
		Recommendations []persona.Recommendation
	}{b, id, idx, sn.segments[segID], segID, res.Model.Name(segID), res.Distance[i], feats, sn.users.recommendations(i)})
}

// handleAssets serves the dashboard's own files (its stylesheet and
// script) by exact name: never a folder listing.
func (s *Server) handleAssets(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	fi, err := fs.Stat(assetFS, "assets/"+name)
	if err != nil || !fi.Mode().IsRegular() {
		s.Error(w, r, errorf(http.StatusNotFound, "no such asset: "+r.URL.Path))
		return
	}
	b, err := assetFS.ReadFile("assets/" + name)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// handleVegaAsset serves the chart scripts (package chart/vega), by exact
// name only.
func (s *Server) handleVegaAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if !slices.Contains(vega.ScriptFiles(), name) {
		s.Error(w, r, errorf(http.StatusNotFound, "no such asset: "+r.URL.Path))
		return
	}
	b, err := vega.Assets.ReadFile("assets/" + name)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}

// handleReport serves the run's full report (Options.Report). Its scripts
// are inline, so its policy allows inline scripts and nothing else.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	if s.opts.Report == "" {
		s.Error(w, r, errorf(http.StatusNotFound, "no report is served: persona serve serves OUT/report.html when --store is an output folder"))
		return
	}
	f, err := os.Open(s.opts.Report)
	if err != nil {
		s.Error(w, r, errorf(http.StatusNotFound, "the report is not there (run persona run or demo into the store's folder)"))
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	io.Copy(w, f)
}
