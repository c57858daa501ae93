package store

// # Tables
//
//	persona_runs             id, created_at, algorithm, users, segments, fingerprint,
//	                         config, summary, feature_names, profiles, model (JSON text),
//	                         committed
//	persona_features         run_id, user_id, x (the user's features, little-endian float64s),
//	                         for a run of more than 1,599 features only
//	persona_assignments      run_id, user_id, segment, distance
//	persona_segments         run_id, id, name, size, share, profile (JSON text)
//	persona_recommendations  run_id, user_id, rank, product_id, score
//	persona_feature_tables   run_id, view_name (features_<run>)
//	persona_feature_columns  run_id, position, feature, column_name
//	persona_features_<run>   user_id and one DOUBLE PRECISION column per feature
//
// A run's features are kept once: in its own table, which Load reads, or
// when they are too many columns for one (Postgres allows 1,600) as blobs
// in persona_features. Runs saved before kept both; Load reads their table.
//
// The same DDL and queries run on DuckDB and Postgres ($n placeholders,
// TEXT, BYTEA, DOUBLE PRECISION, TIMESTAMP in UTC). A store written before
// the committed column existed gains it (every run in it committed) when
// opened for writing, and reads as all committed when opened read-only.
//
// # Invariants
//
// Save writes a run in one transaction, replacing a run of the same id,
// and leaves it pending: when Save fails, every committed run reads back as
// before, and no pending run is visible to Latest, List or Load. Commit
// flips the committed flag of one row; Discard deletes a run's rows in one
// transaction. On DuckDB each of them ends with CHECKPOINT, whose error is
// theirs, and Close's error is returned: an I/O error writing the file is
// never silent. Load returns users ordered by id.
//
// # Views
//
// BI tools (Metabase, Superset) and reverse-ETL syncs (Hightouch, Census)
// read these views directly, the same in DuckDB and Postgres, and see
// committed runs only:
//
//	current_segments    user_id, segment_id, segment_name, run_id, assigned_at, previous_segment_id
//	current_features    run_id, user_id, then one column per feature
//	features_<run>      user_id, then one column per feature, for each committed run
//
// current_segments holds the newest committed run's users (newest by
// created_at, then id, as Latest); assigned_at is that run's created_at
// (UTC) and previous_segment_id the user's segment in the committed run
// before it (NULL for a user new to the run, or without such a run). It is
// a view of the tables, so it is right the moment a run is committed.
// features_<run> is named by the run id, lowercased with _ for - and .
// (features_20261207_002915_123); an id of other characters, or one that
// would take another run's name, gets features_r and a digest of it.
// Each feature is a column of its name when SQL reads it as one (letters,
// digits, _; 63 bytes at most, Postgres' limit; unique in any case), else
// of that name made so (lowercase, each run of other characters one _, cut
// and given a digest when needed); persona_feature_columns maps columns
// back to features. A run of more than 1,599 features (Postgres' limit of
// columns) has no feature table. Runs saved before these views existed
// have none either; current_segments covers them.
//
// Save writes the run's feature table (as a pending run, it has no view);
// Commit makes its view and points current_features at the newest
// committed run, in the transaction that marks it committed; Discard, and
// Save replacing a run, drop its table and view and point
// current_features at the newest other committed run. In Postgres a view
// whose columns change is dropped and made again: when a view of yours
// depends on current_features, that fails naming it, and the commit with
// it (the store stays as it was): build such views on features_<run> or
// current_segments.
//
// # Bulk rows
//
// Save writes the per-user tables through the first of Options.Bulk that
// handles the driver of the connection its transaction runs on: DuckDB's
// appender (package appender) or COPY (package pgcopy). Without one it
// uses INSERT ... SELECT unnest(...) statements of 20,000 rows; both ways
// store the same rows. This package imports no driver and builds without
// cgo.
