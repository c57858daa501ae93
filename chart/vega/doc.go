// Package vega builds the interactive charts of persona's report and
// dashboard as Vega-Lite specifications, and embeds the pinned Vega,
// Vega-Lite and vega-embed scripts that draw them in the browser.
//
// Each builder takes plain slices (like package chart, whose gonum/plot
// figures stay the static SVG and PNG files of a report's charts/ folder)
// and returns a Spec, a JSON document. A page holds each Spec in a
// <script type="application/json" data-chart="ID"> element beside an empty
// <div id="ID">, and loads Script (or, on a served page, the files of
// Assets): page.js draws every chart with vega-embed as SVG.
//
// # Interaction
//
//   - Hover: every mark has a tooltip with its exact values (segment,
//     feature, value, share).
//   - Highlight: clicking a segment's mark or legend entry highlights that
//     segment in every chart of the page (the others fade); clicking it
//     again, or Escape, clears it. Elements outside the charts that carry
//     data-seg="ID" fade with them. window.persona.highlight(id) does the
//     same from a script.
//   - Links: a point with an href (the 2-D map's users) opens it on click.
//     A page at /report over http(s) (a report served by persona serve)
//     opens a link to any host's /users/ID on its own host instead.
//   - Tables with class "sortable" sort by a column when its header is
//     clicked (numbers by the cell's data-sort value when it has one).
//
// # Why Vega-Lite
//
// It draws from a declarative JSON spec built here in Go, so a chart's
// data and encoding live in one tested place; tooltips, legends, log and
// symlog scales, facets and hyperlinked marks come with it; and its three
// scripts (about 840 KB minified, BSD-3-Clause) inline into one HTML file
// that opens offline. Its expression interpreter (vega.expressionInterpreter)
// keeps the dashboard under a Content-Security-Policy without 'unsafe-eval'.
// Apache ECharts would weigh more and configure in JavaScript; Observable
// Plot has no legend interaction; hand-written SVG would duplicate package
// chart.
//
// # Versions
//
// assets/ holds vega 6.4.0, vega-lite 6.5.0 and vega-embed 7.3.0 exactly as
// npm publishes them (build/*.min.js), less their sourceMappingURL comment,
// with their licences; assets/VENDOR.md says how to update them.
//
// # Invariants
//
// Builders never modify their inputs. The same input gives byte-identical
// JSON (maps are written with sorted keys). Segment rows carry "seg" (the
// segment id, as in segments.csv) and "segment" (its label); the
// highlight parameter "hl" is null or a segment id.
package vega
