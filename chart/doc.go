// Package chart draws persona's static charts (SVG and PNG) with one shared
// look: palette, fonts, axes, legends and titles.
//
// # Overview
//
// Each constructor (Bars, Lines, Heatmap, Profiles, Stacked, Boxes,
// Scatter, Elbow, Histograms, Dendrogram, KDistance, Silhouette, Grid) takes
// plain Go values in a spec struct and
// returns a *Figure, which encodes itself as SVG or PNG. Nothing here knows
// about storage or clustering: callers pass slices of numbers and names.
//
// Segments are always given as a slice of names in display order; segment i
// is drawn in SegmentColor(i) by every constructor, so the colour of a
// segment cannot differ between charts. A spec whose Unsegmented field is
// set holds the unsegmented group (users no segment fits, such as DBSCAN
// noise) as its last segment; that group is drawn in UnsegmentedColor, a
// neutral grey outside the palette, and the others keep SegmentColor(i).
//
// # Look
//
// Segments are told apart by SegmentColor (the Okabe–Ito colour-blind-safe
// palette, extended by Paul Tol's muted palette for more than eight segments)
// and, in line charts, by a marker shape as well, so a segment has the same
// colour in every chart. Signed scores use diverging (blue for below zero,
// red for above), amounts a sequential yellow–green–blue (the RFM grid's
// spend). Categories that are not segments use CategoryColor, a pale
// palette that cannot be mistaken for a segment colour.
//
// Every figure is 10 inches (720 pt) wide, so type has the same size in
// every chart once a page scales them to its width. It has a bold title at
// the top left, a legend under the title, then one or more panels whose axes
// carry labels with units. Text is set in
// Liberation Sans, which has Arial's metrics; SVG output names
// 'Liberation Sans',Arial,Helvetica,sans-serif so browsers without Liberation
// lay text out identically.
//
// # Invariants
//
// Constructors never modify their inputs. The same spec always yields
// byte-identical SVG and PNG output. A spec that is inconsistent (slices of
// different lengths, no data) is reported as an error naming the field.
package chart
