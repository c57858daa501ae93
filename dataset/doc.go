// Package dataset loads the canonical user datasets (users, events,
// transactions, social) into a SQL database, where the features package
// computes one row of features per user.
//
// # Config
//
// A Config (decoded from YAML by LoadConfig, unknown keys rejected with
// their line) names a Source per dataset — a CSV file or glob, Parquet,
// JSON lines, or a Postgres table or query — and maps canonical fields to
// source columns or SQL expressions over them. It is the run's one config
// type: its features section is what package features reads, dates and
// durations have their own text types (Date, Duration) that report a bad
// value with its line, and it encodes to JSON with the keys of its YAML.
//
// # Attributes and outcomes
//
// A per-user table (users, and each table under profiles, joined on
// user_id) may carry attributes: any column or SQL expression with a type
// (AttributeType) that package features turns into features, and
// outcomes, per-user yes/no or numeric columns that are reported per
// segment and never clustered. Load checks every value as it checks a
// canonical field: a value that does not parse as its type is rejected
// with its line and column ("unparsable attributes.age"), and missing
// values (MissingMarkers: empty, NA, N/A, null, ...) are kept as missing.
// Numbers may carry a currency sign, a % sign and thousands separators.
// A column an attribute reads is not also read as the canonical field of
// its name. A per-user table without an id column (no user_id mapped and
// no column of that name) gets each row's number, 1, 2, ..., in file
// order, as its user_id (Counts.RowIDs). Load makes a view of each table's
// attributes and outcomes (PerUser.View).
//
// # Sources and queries
//
// Config.Sources names files (or Postgres tables) that a dataset given as
// Source.Query reads: Load reads each into a table of its name first
// (columns typed as the CSV sniffer sees them when every value converts,
// else text; RowColumn(name) holds {file, line}), then runs the query and
// checks its rows as it checks a file's. A query that keeps exactly one
// source's RowColumn has its rejects named by that source's file and
// line, else by the row of the query's result ("the query of KEY").
//
// # Validation
//
// Load reads each source once inside DuckDB: CSV as text (a gzipped file
// decompressed to a temporary copy first, which DuckDB reads in parallel),
// every mapped field converted with TRY_CAST / TRY_STRPTIME, straight into
// one stage table per dataset. A row whose required field
// is empty, whose value does not parse, or whose price is negative (and is
// not a return) is rejected: it is kept with its file, line, column, value
// and reason (WriteRejects writes them out) and counted per reason. Too
// many rejects make Load return a *RejectRateError. Structural problems — a
// missing file or column, an expression that does not compile, a malformed
// CSV line — are errors.
//
// # Sandbox
//
// Config SQL (mappings, filters, and whatever SQL a config holds) is the
// user's SQL run inside DuckDB. Before any of it runs, Load sandboxes the
// database for the rest of its life: DuckDB may then read only the source
// files (a glob expanded), a folder of the load's own for temporary files
// (decompressed copies, Postgres rows) and the files named in
// LoadOptions.Outputs; it installs and loads no extension, and only the
// session's time zone and thread count may still change. SQL reaching for
// anything else fails with a *ConfigError naming its key. DuckDB still
// spills to duckdb.temp_directory. A source that is not a regular file (a
// folder, a FIFO, a device) is refused before anything is read.
//
// # Rules
//
// A line with a negative quantity or amount, or marked is_return, is a
// return (quantity −|q|, price |p|). Rows that repeat an earlier row of
// the source in every column (mapped or not, values as written) are kept
// once (unless duplicates: keep), rows after as_of (and users who
// signed up after it) are dropped,
// and rows failing the config's filter are skipped; all three are counted,
// the first two also listed with the rejects. Ids written as 17850.0 lose
// the .0.
//
// Implausible values are rejected as unparsable ones are: timestamps and
// dates before 1900, infinite, or more than a day after the run's clock
// (LoadOptions.Now), birth years outside [1900, the year of as_of or of
// the clock], an empty amount on a line priced by it. When as_of defaults
// to the latest timestamp and that lies far after the bulk of a dataset's
// rows (see farShare), its Counts carry a warning.
//
// # Invariants
//
// Every row read is counted exactly once: Read = Filtered + Rejected +
// Duplicates + AfterAsOf + Used. The canonical datasets always exist with
// the columns of Schema: views of the stage table once every unused row
// has been deleted from it (no copy of the data), or an empty table for a
// dataset without a source. A Parquet source without a filter, whose
// columns convert to the canonical types regardless of the time zone and
// whose row groups are small enough to read in parallel, is not copied at
// all: its stage is a view over the files, and the canonical view passes
// its used rows (duplicates are skipped by file and row number), so the
// files must stay in place while the database is used.
package dataset
