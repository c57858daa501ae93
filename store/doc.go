package store

// # Tables
//
//	persona_runs             id, created_at, algorithm, users, segments, fingerprint,
//	                         config, summary, feature_names, profiles, model (JSON text)
//	persona_features         run_id, user_id, x (the user's features, little-endian float64s)
//	persona_assignments      run_id, user_id, segment, distance
//	persona_segments         run_id, id, name, size, share, profile (JSON text)
//	persona_recommendations  run_id, user_id, rank, product_id, score
//
// The same DDL and queries run on DuckDB and Postgres ($n placeholders,
// TEXT, BYTEA, DOUBLE PRECISION, TIMESTAMP in UTC).
//
// # Invariants
//
// Save writes a run in one transaction, replacing a run of the same id:
// when it fails, every run in the store reads back as before. Load returns
// users ordered by id.
//
// # Bulk rows
//
// Save writes the per-user tables through the driver of the connection
// its transaction runs on: DuckDB's appender with duckdb-go, COPY with
// pgx. With any other driver (a wrapped one, say) it falls back to
// INSERT ... SELECT unnest(...) statements of 20,000 rows; both ways store
// the same rows. This package imports duckdb-go for its appender and
// registers pgx's driver ("pgx") for Postgres URLs; Open still takes the
// name of the DuckDB driver to open files with.
