// Package report writes a segmentation run as one self-contained HTML
// report, with every chart also saved as SVG and PNG.
//
// # Output
//
// Write creates dir/report.html and, for every chart, dir/charts/<name>.svg
// and dir/charts/<name>.png. The HTML inlines its CSS and the SVG charts: it
// loads no fonts, scripts, images or styles from anywhere, so it reads the
// same offline, from a mail attachment or printed. Every file is written
// atomically (a temporary file renamed into place).
//
// # Contents
//
//   - segment distribution: users per segment (count and share) and revenue
//     per segment when given;
//   - key characteristics: a heatmap of feature z-scores and a bar profile
//     of each segment's strongest traits;
//   - behavioural patterns: activity by hour of day and by weekday, category
//     mix and RFM box plots, each when given;
//   - a 2-D projection of users coloured by segment;
//   - diagnostics, each when given: inertia and silhouette by number of
//     segments k; the dendrogram of a hierarchical clustering (its last
//     merges, as SciPy's truncate_mode="lastp") with the cut into k
//     segments; DBSCAN's sorted k-distance curve with the eps used; and the
//     mean silhouette of each segment;
//   - an age histogram per segment when ages are given;
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
