// Package pipeline runs persona's steps in order — load, features,
// preparation, clustering with k chosen from the data, profiles, report —
// and writes a run's outputs to a folder.
//
// # Outputs
//
// A run writes into its output folder:
//
//	segments.csv   user_id, segment, segment_name, distance (to the segment centre, in the scaled space)
//	profiles.json  per segment: size, share, feature statistics and z-scores against the base, top traits, name, actions
//	report.html    the self-contained report; its charts also go to charts/ as SVG and PNG
//	summary.json   k, silhouette, sizes, timings per step, and for the demo ari_vs_planted
//
// # Invariants
//
// Every file is written to a temporary name and renamed into place only after
// the whole run has succeeded, so a failed run leaves the previous results as
// they were. The same data, options and seed give byte-identical segments.csv.
package pipeline
