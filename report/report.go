package report

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"image/color"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/persona-seg/persona/chart"
	"github.com/persona-seg/persona/chart/vega"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/internal/parallel"
)

//go:embed assets/report.html.tmpl assets/report.css
var assets embed.FS

// pngDPI gives PNG charts twice the resolution of a 72 dpi screen.
const pngDPI = 144

// WriteOptions tunes Write; its zero value means defaults.
type WriteOptions struct {
	// Progress, when not nil, is called as charts are written, with the
	// number done and their total (the page itself is the last item).
	Progress func(done, total int)
}

// Write validates in and writes dir/report.html plus dir/charts/<name>.svg
// and .png for every chart and dir/ChartsFile (the interactive charts, for
// the dashboard), each atomically. dir is created if needed.
// Chart files of an earlier report in dir that in has no data for are
// removed; other files are left alone.
func Write(ctx context.Context, dir string, in Input, opts WriteOptions) error {
	progress := opts.Progress
	if err := in.Validate(); err != nil {
		return err
	}
	figs, err := figures(&in)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	chartDir := filepath.Join(dir, "charts")
	if err := os.MkdirAll(chartDir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	svgs, err := writeCharts(ctx, chartDir, figs, progress)
	if err != nil {
		return err
	}
	// Charts of an earlier report in dir that this input has no data for
	// would otherwise sit beside the new ones.
	ents, err := os.ReadDir(chartDir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, e := range ents {
		ext := filepath.Ext(e.Name())
		name := strings.TrimSuffix(e.Name(), ext)
		if _, ok := svgs[name]; ok || (ext != ".svg" && ext != ".png") || !isChartName(name) {
			continue
		}
		if err := os.Remove(filepath.Join(chartDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("report: remove stale chart: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	sidecar, err := json.Marshal(interactiveCharts(&in, figs))
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, filepath.FromSlash(ChartsFile)), sidecar); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	err = atomicfile.Write(filepath.Join(dir, "report.html"), func(w io.Writer) error {
		return render(w, &in, figs, svgs)
	})
	if err == nil && progress != nil {
		progress(len(figs)+1, len(figs)+1)
	}
	return err
}

// writeCharts writes every figure as SVG and PNG, several at a time (one
// worker per CPU; figures share no state), and returns the SVG text by
// chart name.
func writeCharts(ctx context.Context, dir string, figs []figure, progress func(done, total int)) (map[string]string, error) {
	svgs := make([]string, len(figs))
	errs := make([]error, len(figs))
	var (
		mu   sync.Mutex
		done int
	)
	if progress != nil {
		progress(0, len(figs)+1)
	}
	err := parallel.For(ctx, runtime.GOMAXPROCS(0), len(figs), func(_, i int) {
		svgs[i], errs[i] = writeChart(ctx, dir, figs[i])
		if progress != nil {
			mu.Lock()
			done++
			progress(done, len(figs)+1)
			mu.Unlock()
		}
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(figs))
	for i, f := range figs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[f.name] = svgs[i]
	}
	return out, nil
}

func writeChart(ctx context.Context, dir string, f figure) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if f.fig == nil {
		return "", nil // interactive only: no file
	}
	var buf bytes.Buffer
	if err := f.fig.WriteSVG(&buf); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, f.name+".svg"), buf.Bytes()); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, f.name+".png"), func(w io.Writer) error {
		return f.fig.WritePNG(w, pngDPI)
	}); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return buf.String(), nil
}

// render executes the page template.
func render(w io.Writer, in *Input, figs []figure, svgs map[string]string) error {
	tmpl, err := template.ParseFS(assets, "assets/report.html.tmpl")
	if err != nil {
		return fmt.Errorf("parse template: %w", err)
	}
	css, err := assets.ReadFile("assets/report.css")
	if err != nil {
		return err
	}
	p := buildPage(in, figs, svgs)
	p.CSS = template.CSS(css)
	p.Script = template.JS(vega.Script())
	if err := tmpl.Execute(w, p); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}

type page struct {
	Title, Subtitle string
	CSS             template.CSS
	Script          template.JS // the chart scripts, inlined
	TotalUsers      string
	SegmentCount    int  // the unsegmented group aside
	Unsegmented     bool // the last of Segments is the unsegmented group
	HasRevenue      bool
	Segments        []segmentView
	Sections        []sectionView
	Method          []KeyValue
}

type segmentView struct {
	Anchor      string
	ID          int
	Name        string
	Color       string
	Size        string
	SizeN       int
	Share       string
	Revenue     string
	RevenueN    float64
	Description string
	Traits      []traitView
	Actions     []string
	Profile     []string
	Charts      []chartView
}

type traitView struct {
	Feature string // its label
	About   string // its name and what it measures
	Z       string
	Above   bool
}

type sectionView struct {
	ID, Title, Intro string
	Charts           []chartView
}

type chartView struct {
	ID      string
	Title   string
	Caption string
	SVG     template.HTML // the static chart, for a figure with no interactive version
	Vega    template.HTML // the interactive chart and its spec
}

var sectionTitles = []struct{ id, title, intro string }{
	{secDistribution, "Segment distribution", "How the users split across segments."},
	{secTraits, "Key characteristics", "What sets each segment apart from the user base as a whole."},
	{secBehaviour, "Behavioural patterns", "When and how each segment is active."},
	{secValue, "Customer value", "What each segment's customers are worth and whether they are still buying, from a model of their purchases (docs/value.md)."},
	{secMap, "Segment map", "Users placed by their two main directions of variation; nearby users behave alike."},
	{secDiagnostics, "Diagnostics", "How the segments were found, and how well they are separated."},
	{secAges, "Demographics", "Who the users of each segment are: age and the fields they are described by."},
}

func buildPage(in *Input, figs []figure, svgs map[string]string) page {
	p := page{Title: in.Title, Subtitle: in.Subtitle, Method: in.Method, HasRevenue: in.RevenueBySegment != nil}
	if p.Title == "" {
		p.Title = "Segmentation report"
	}
	total := 0
	for i, s := range in.Segments {
		total += s.Size
		v := segmentView{
			Anchor:      segmentChartName(s),
			ID:          s.ID,
			Name:        s.Name,
			Color:       hexColor(segmentColor(in, i)),
			Size:        formatInt(s.Size),
			SizeN:       s.Size,
			Share:       formatPercent(s.Share),
			Description: s.Description,
			Actions:     s.Actions,
			Profile:     s.Profile,
		}
		if in.RevenueBySegment != nil {
			v.Revenue = formatMoney(in.RevenueBySegment[i])
			v.RevenueN = in.RevenueBySegment[i]
		}
		for _, t := range s.Traits {
			about := t.Feature
			if d := in.Glossary[t.Feature]; d != "" {
				about += ": " + d
			}
			v.Traits = append(v.Traits, traitView{Feature: in.label(t.Feature), About: about, Z: formatZ(t.Z), Above: t.Z >= 0})
		}
		for _, f := range figs {
			if f.section == segmentSection(i) {
				v.Charts = append(v.Charts, newChartView(in, f, svgs))
			}
		}
		p.Segments = append(p.Segments, v)
	}
	p.TotalUsers = formatInt(total)
	p.Unsegmented = hasUnsegmented(in)
	p.SegmentCount = len(in.Segments)
	if p.Unsegmented {
		p.SegmentCount--
	}
	for _, st := range sectionTitles {
		sec := sectionView{ID: st.id, Title: st.title, Intro: st.intro}
		for _, f := range figs {
			if f.section != st.id {
				continue
			}
			sec.Charts = append(sec.Charts, newChartView(in, f, svgs))
		}
		if len(sec.Charts) > 0 {
			p.Sections = append(p.Sections, sec)
		}
	}
	return p
}

// newChartView places figure f on the page: interactive when it has a
// Vega-Lite version (the static SVG is then only in charts/), else as
// inline SVG.
func newChartView(in *Input, f figure, svgs map[string]string) chartView {
	id := "chart-" + f.name
	v := chartView{ID: id, Title: f.title(), Caption: f.caption}
	if spec, ok := interactiveSpec(in, f); ok {
		v.Vega = template.HTML(vega.HTML(id, spec))
		return v
	}
	v.SVG = template.HTML(inlineSVG(svgs[f.name], id, f.title()))
	return v
}

var svgOpen = regexp.MustCompile(`<svg width="[^"]*" height="[^"]*"`)

// inlineSVG turns a standalone SVG document into an element for the page:
// the XML prolog and generator comment go, the fixed size gives way to the
// page width (the viewBox keeps the aspect ratio), and it gains an id and an
// accessible title.
func inlineSVG(doc, id, title string) string {
	if i := strings.Index(doc, "<svg"); i >= 0 {
		doc = doc[i:]
	}
	doc = svgOpen.ReplaceAllLiteralString(doc, `<svg id="`+id+`" role="img" aria-label="`+template.HTMLEscapeString(title)+`"`)
	return strings.TrimSpace(doc)
}

// segmentColor is the colour of segment i in the charts: grey for the
// unsegmented group.
func segmentColor(in *Input, i int) color.RGBA {
	if in.Segments[i].ID < 0 && i == len(in.Segments)-1 {
		return chart.UnsegmentedColor()
	}
	return chart.SegmentColor(i)
}

func hexColor(c color.RGBA) string {
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}
