// Package pipeline runs persona's steps in order — load, features,
// preparation, clustering with k chosen from the data, profiles, report —
// and commits a run's outputs to a folder and its results to a store as
// one transaction.
//
// # Outputs
//
// A run writes into its output folder:
//
//	segments.csv   user_id, segment, segment_name, distance (to the segment centre, in the scaled space)
//	profiles.json  per segment: size, share, feature statistics and z-scores against the base, top traits, name, actions
//	report.html    the self-contained report; its charts also go to charts/ as SVG and PNG
//	summary.json   k, silhouette, sizes, timings per step, and for the demo ari_vs_planted
//	model.json     what persona score and serve assign new users with
//
// # Output folders
//
// Every command that writes an output folder (run, demo, score, runs
// --export, recommend --all) goes through Out, the one commit protocol:
//
//	OUT/.persona.lock                  flock held while a process writes OUT (its pid inside)
//	OUT/.persona-run-ID/               the outputs of run ID while it runs
//	OUT/.persona/runs/ID/              the committed outputs (the snapshot) of run ID
//	OUT/.persona/current -> runs/ID    the pointer: which snapshot OUT shows
//	OUT/.persona/pending               the journal: the id of a run saved in the store, not yet marked committed
//	OUT/segments.csv -> .persona/current/segments.csv   one link per output, so OUT/NAME is where it always was
//
// A run writes everything into its stage, writes the journal, saves its
// results in the store (pending: Latest, List and serve ignore it), fsyncs
// the stage, renames it to .persona/runs/ID, and then renames a new
// pointer over .persona/current: that one rename switches every OUT/NAME
// at once, and is the commit. Only then does it mark the run committed in
// the store and remove the journal and the previous snapshot. Files are
// fsynced before and folders after each rename. A second process that
// opens OUT while the lock is held fails at once with a *LockedError.
//
// A run replaces the whole snapshot (so a run without rejects leaves no
// rejects/ behind); the other commands replace the names they write
// (OutOptions.Owns) and keep the rest, and refuse a folder that holds a
// run, which they would tear. A run that fails on too many rejects moves
// them to OUT/rejects-ID/, leaving the previous run's as they were.
//
// persona features writes a file, not a folder, and commits it through
// FileOut instead: no .persona/ and no lock beside the user's files. The
// table is written to .NAME.persona-PID beside it and renamed over it,
// after its rejects folder has been swapped in the same way (in one step
// on Linux); a reader sees the old file or the new one whole, and of two
// processes writing one file the last to commit wins. A rejects folder
// holding anything but rejects files, or a run's output, is refused.
// What a killed process left under those temporary names, the next
// process writing the same names removes.
//
// # Recovery
//
// The rule: a run is committed once the pointer names it. When a process
// dies (kill -9, power loss) part-way, the next OpenOut of the folder,
// under the lock, rolls forward or back accordingly:
//
//   - the journal names the run the pointer names: the files were
//     committed, the store mark was not; the run is marked committed.
//   - the journal names another run: the pointer was never switched; that
//     run is discarded from the store.
//   - every .persona-run-ID/ and every snapshot the pointer does not name
//     is removed, and the OUT/NAME links are made to match the pointer.
//
// Until a writer opens the folder again, OutReader (used by persona runs
// and serve on a folder) reads the store as the rule says, without writing
// anything, so readers agree with the files. The store a journal refers
// to is the one the next writer opens: point a re-run at another --store
// and the first store keeps a pending run that nothing shows.
//
// A folder written by an older persona (plain files, no pointer) becomes a
// snapshot folder at its first commit; that one commit replaces the old
// files one by one, and a process that dies during it leaves links
// through the pointer plus old files, which the next open replaces.
//
// # Invariants
//
// After any failure or kill, OUT's files and the store show the same run:
// the previous one, or the new one once its pointer was switched. The same
// data, options and seed give byte-identical segments.csv.
package pipeline
