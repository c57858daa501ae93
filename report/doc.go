// Package report writes a segmentation run as one self-contained HTML
// report, with every chart also saved as SVG and PNG.
//
// # Output
//
// Write creates dir/report.html and, for every chart, dir/charts/<name>.svg
// and dir/charts/<name>.png. The
// page's charts are interactive (package chart/vega): hover shows exact
// values, clicking a segment highlights it in every chart and in the
// overview table, the 2-D map links each user to its page on the dashboard
// (Input.DashboardURL), and the overview table sorts. The HTML inlines its
// CSS, its scripts (Vega, Vega-Lite, vega-embed and chart/vega's page.js)
// and every chart's data: it loads nothing from anywhere, so it reads the
// same offline or from a mail attachment, and prints. Every file is written
// atomically (a temporary file renamed into place).
//
// Segments are numbered by their ids (Segment.ID, as in segments.csv)
// everywhere: chart labels, charts/segment-ID.*, the anchors of their
// sections, the detail's "segment id N", a segment's own chart title and
// the overview table. Features are named by features.Label (attributes by
// Input.Labels, as the profiles name them), with the column name and
// Input.Glossary's description on hover.
//
// # Contents
//
//   - segment distribution: users per segment (count and share) and revenue
//     per segment when given;
//   - key characteristics: a heatmap of feature z-scores and a bar profile
//     of each segment's strongest traits;
//   - behavioural patterns, each when given and not empty: events (or
//     orders) by hour of day, left out when every timestamp is at the same
//     hour (dates without a time); by weekday; the category mix, titled by
//     what it measures and pooled beyond the top 8 into "other"; RFM box
//     plots with orders and spend on log(1 + x) axes; the named RFM groups
//     per segment; the RFM grid (recency × frequency score per segment,
//     coloured by mean spend, each cell marked with its RFM group);
//   - a 2-D projection of users coloured by segment;
//   - diagnostics, each when given: inertia, silhouette, stability and
//     prediction strength by number of segments k; the dendrogram of a hierarchical clustering (its last
//     merges, as SciPy's truncate_mode="lastp") with the cut into k
//     segments; DBSCAN's sorted k-distance curve with the eps used; and the
//     mean silhouette of each segment;
//   - the split of each categorical field per segment (Input.Demographics;
//     each bar adds up to 100%: a yes/no field with its complement, a list
//     as shares of the values held; a field no segment has 1% of is left
//     out), box plots of each numeric attribute (Input.NumericAttributes,
//     three to a chart) and an age histogram per segment, when given;
//   - a section per segment (size, description, traits, suggested actions)
//     and a "how this was made" table.
//
// Segment i of Input.Segments has the same colour (chart.SegmentColor(i)) in
// every chart and in the HTML. The unsegmented group (users no segment fits,
// such as DBSCAN noise) has a negative ID and comes last; it is drawn in
// chart.UnsegmentedColor, a neutral grey, and is not counted as a segment.
//
// # Invariants
//
// Write never modifies its input. Optional inputs that are nil or empty are
// left out together with their charts and headings. The same input always
// produces byte-identical files.
package report
