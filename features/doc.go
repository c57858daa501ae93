// Package features computes one row of engineered features per user from the
// canonical datasets, as SQL run inside the database that holds them.
//
// A run only computes the features of the data it has: without
// transactions there are no purchase columns, without events no event
// columns, without social actions no social columns, without birth years
// no age and without signup dates no signup tenure (Spec.Skip records
// which, so that new users get the same columns).
//
// # Attributes
//
// The attributes of the per-user tables (users and the profiles tables of
// package dataset) become features named after them (dataset.Slug of the
// attribute's name). A user with several rows in a table takes each
// attribute's least value; a user with no row in it misses its values.
//
//	numeric      NAME: the value; missing: the median of the users' values
//	             (a NAME_missing flag when any user misses it). log1p before
//	             scaling when the values are ≥ 0 and their sample skewness is
//	             above 1, unless the attribute's log1p says otherwise.
//	categorical  NAME_VALUE: 1 for each of the top_values (default 6) most
//	             frequent values (then by name), NAME_other for the rest,
//	             NAME_missing: missing is a level of its own.
//	list         the values split at the separator (default ","), trimmed,
//	             each counted once: NAME_VALUE for the most frequent ones,
//	             NAME_other when a user has another one, NAME_missing.
//	ordinal      NAME: the rank of the value among the configured levels
//	             (1, 2, ...), or the midpoint of its bucket
//	             (dataset.BucketLevels: 18-24 is 21, 65+ is 65 plus half the
//	             width of the nearest closed bucket); missing: the median,
//	             and NAME_missing.
//	boolean      NAME: 1 or 0; missing: the share of true, and NAME_missing.
//	date         NAME_days: days from the date to as_of; missing: the
//	             median, and NAME_missing.
//	age          NAME: a date of birth's age in years at as_of (days /
//	             365.25); missing: the median, and NAME_missing. Ages do
//	             not set the default as_of (dates do).
//
// The top values, levels, medians and log1p decisions are fixed on the
// training data (Spec.Attributes): new users are described with the same
// columns and fill values, and a value the training data did not have
// counts in no level column (an ordinal's counts as missing).
//
// Outcomes (dataset.Outcome) are read per user like attributes but are no
// features: Table.Outcomes holds them, for the profiles.
//
// # Indicator sets
//
// The one-hot columns of a categorical or list attribute, a boolean
// attribute and each _missing flag are indicator sets (Feature.Set): the
// pipeline weighs each set's columns together before clustering (see
// package prep, Config.Groups), so that one categorical attribute with
// many levels does not outweigh a numeric one.
//
// # Dialects
//
// The catalogue is written once against Dialect, and Options.Dialect says
// which engine's SQL to write: DuckDB (the default, the embedded
// database) or Postgres (the features computed inside the server that
// holds the data). The doc of Dialect lists what an engine must provide
// (window functions for sessions, exact sums, FILTER, wall-clock times,
// percentiles, lists) and what ClickHouse, BigQuery and Snowflake would
// change; testdata/dialect pins the SQL of both for one config, and the
// Postgres SQL gives DuckDB's features bit for bit on a real server.
package features
