package store

// # Tables
//
//	persona_runs             id, created_at, algorithm, users, segments, fingerprint,
//	                         config, summary, feature_names, profiles, model (JSON text),
//	                         committed
//	persona_features         run_id, user_id, x (the user's features, little-endian float64s)
//	persona_assignments      run_id, user_id, segment, distance
//	persona_segments         run_id, id, name, size, share, profile (JSON text)
//	persona_recommendations  run_id, user_id, rank, product_id, score
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
// # Bulk rows
//
// Save writes the per-user tables through the first of Options.Bulk that
// handles the driver of the connection its transaction runs on: DuckDB's
// appender (package appender) or COPY (package pgcopy). Without one it
// uses INSERT ... SELECT unnest(...) statements of 20,000 rows; both ways
// store the same rows. This package imports no driver and builds without
// cgo.
