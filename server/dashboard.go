package server

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/chart"
	"github.com/persona-seg/persona/profile"
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
	"colour": func(i int) string {
		c := chart.SegmentColor(i)
		return "#" + hex2(c.R) + hex2(c.G) + hex2(c.B)
	},
}).ParseFS(templateFS, "templates/*.html"))

func hex2(v uint8) string { return string([]byte{"0123456789abcdef"[v>>4], "0123456789abcdef"[v&0xf]}) }

// charts are a run's dashboard charts as inline SVG, drawn once.
type charts struct {
	overview []template.HTML
	err      error
}

func (sn *snapshot) charts() *charts {
	sn.chartsOnce.Do(func() { sn.chartSet = drawCharts(sn.res) })
	return sn.chartSet
}

func svg(f *chart.Figure, err error) (template.HTML, error) {
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := f.WriteSVG(&buf); err != nil {
		return "", err
	}
	doc := buf.String()
	if i := strings.Index(doc, "<svg"); i >= 0 {
		doc = doc[i:]
	}
	// Scale to the page width; the viewBox keeps the aspect ratio.
	doc = strings.Replace(doc, "<svg", `<svg role="img" aria-label="`+template.HTMLEscapeString(f.Title())+`" style="width:100%;height:auto"`, 1)
	return template.HTML(doc), nil
}

func drawCharts(res *persona.Results) *charts {
	c := &charts{}
	segs := res.Profiles.Segments
	var names []string
	var shares []float64
	var labels []string
	for _, s := range segs {
		names = append(names, s.Name)
		shares = append(shares, 100*s.Share)
		labels = append(labels, strconv.Itoa(s.Size))
	}
	// DBSCAN's unsegmented group is last (profile orders it so) and is
	// drawn grey, as in the report.
	unseg := len(segs) > 0 && segs[len(segs)-1].ID == profile.Unsegmented
	add := func(h template.HTML, err error) {
		if err != nil && c.err == nil {
			c.err = err
		}
		if err == nil {
			c.overview = append(c.overview, h)
		}
	}
	add(svg(chart.Bars(chart.BarsSpec{Title: "Segment sizes", Segments: names, Unsegmented: unseg,
		Panels: []chart.BarPanel{{Title: "share of users", XLabel: "users (%)", Values: shares, Labels: labels}}})))
	// The features that tell segments apart most: the largest |z| anywhere.
	rows := topFeatures(segs, 12)
	if len(rows) > 0 {
		z := make([][]float64, len(segs))
		for i := range segs {
			for _, f := range rows {
				st, ok := segs[i].Feature(f)
				v := math.NaN()
				if ok {
					v = st.Z
				}
				z[i] = append(z[i], v)
			}
		}
		add(svg(chart.Heatmap(chart.HeatmapSpec{Title: "What sets the segments apart", Segments: names, Unsegmented: unseg, Rows: rows, Z: z,
			ScaleLabel: "segment mean − base mean (standard deviations)"})))
	}
	// Every segment's distinctive traits, as small multiples: a segment
	// keeps its colour only when drawn with all the others.
	labels2 := make([][]string, len(segs))
	values := make([][]float64, len(segs))
	hasTraits := false
	for i, s := range segs {
		for _, t := range s.Top[:min(len(s.Top), 6)] {
			labels2[i] = append(labels2[i], t.Feature)
			values[i] = append(values[i], t.Z)
			hasTraits = true
		}
	}
	if hasTraits {
		add(svg(chart.Profiles(chart.ProfilesSpec{Title: "Distinctive traits of each segment", XLabel: "z-score (standard deviations from the base)", Unsegmented: unseg,
			Segments: names, Labels: labels2, Values: values})))
	}
	return c
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
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

type pageBase struct {
	Title string
	RunID string
	Users int
	Query string
}

func base(sn *snapshot, title string) pageBase {
	return pageBase{Title: title, RunID: sn.res.Run.ID, Users: sn.users.len()}
}

type segRow struct {
	Index int
	*profile.Segment
}

func (s *Server) handleOverview(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	c := sn.charts()
	if c.err != nil {
		s.opts.Logger.Warn("dashboard charts", "err", c.err)
	}
	var rows []segRow
	for i := range sn.res.Profiles.Segments {
		rows = append(rows, segRow{i, &sn.res.Profiles.Segments[i]})
	}
	s.render(w, r, http.StatusOK, "overview.html", struct {
		pageBase
		Segments  []segRow
		Charts    []template.HTML
		Algorithm string
		Created   string
	}{base(sn, "Segments"), rows, c.overview, sn.res.Model.Algorithm, sn.res.Run.CreatedAt.Format("2006-01-02 15:04 MST")})
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
		}{base(sn, "Not found"), "Segment " + strconv.Itoa(id)})
		return
	}
	seg := &sn.res.Profiles.Segments[idx]
	feats := append([]profile.FeatureStat(nil), seg.Features...)
	sort.SliceStable(feats, func(i, j int) bool { return math.Abs(feats[i].Z) > math.Abs(feats[j].Z) })
	s.render(w, r, http.StatusOK, "segment.html", struct {
		pageBase
		Index    int
		Segment  *profile.Segment
		Features []profile.FeatureStat
	}{base(sn, seg.Name), idx, seg, feats})
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
		b := base(sn, "User not found")
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
		z := 0.0
		if b.Std > 0 {
			z = (v - b.Mean) / b.Std
		}
		feats = append(feats, featureRow{name, v, z, b.Mean})
	}
	sort.SliceStable(feats, func(a, b int) bool { return math.Abs(feats[a].Z) > math.Abs(feats[b].Z) })
	b := base(sn, "User "+id)
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

func (s *Server) handleAssets(w http.ResponseWriter, r *http.Request) {
	sub, _ := fs.Sub(assetFS, "assets")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/assets/", http.FileServerFS(sub)).ServeHTTP(w, r)
}
