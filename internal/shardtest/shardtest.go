// Package shardtest builds a sharded Postgres of stock parts for tests and
// benchmarks: tables hash-partitioned by user_id on a coordinator whose
// partitions are postgres_fdw foreign tables, each on one shard server.
//
// scripts/shard/setup.sh starts the servers (PERSONA_TEST_COORDINATOR,
// PERSONA_TEST_SHARDS); Connect opens them, each in a schema of its own,
// and Cluster.Load copies tables from a DuckDB database (the canonical
// views dataset.Load made) into the shards, each shard receiving only the
// rows of its hash partition, and, for comparison, the whole tables into
// a single-server schema on the first shard. See docs/scale-out.md.
package shardtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// Environment variables scripts/shard/setup.sh exports.
const (
	EnvCoordinator = "PERSONA_TEST_COORDINATOR"
	EnvShards      = "PERSONA_TEST_SHARDS"
)

// FromEnv returns the coordinator's and the shards' URLs, or a reason why
// there are none.
func FromEnv() (coordinator string, shards []string, why string) {
	coordinator = os.Getenv(EnvCoordinator)
	s := os.Getenv(EnvShards)
	if coordinator == "" || s == "" {
		return "", nil, EnvCoordinator + " or " + EnvShards + " is not set: ./scripts/test.sh (or scripts/shard/setup.sh start) starts a coordinator and two shard servers"
	}
	return coordinator, strings.Split(s, ","), ""
}

// Cluster is a coordinator and its shards, each connection with its
// search_path set to Schema (created by Connect).
type Cluster struct {
	Coordinator *pgx.Conn
	Shards      []*pgx.Conn
	// Single is a second connection to the first shard whose search_path
	// is SingleSchema, where Load puts the whole tables: one server
	// holding all the data, to compare with.
	Single       *pgx.Conn
	Schema       string
	SingleSchema string
	shardURLs    []string
}

// Connect opens the coordinator and every shard, creates schema on each
// (and schema_single on the first shard) and points the coordinator's
// postgres_fdw servers shard0, shard1, ... at the shards, with
// async_capable so that an Append of their foreign scans runs them at the
// same time. Close drops the schemas.
func Connect(ctx context.Context, coordinator string, shards []string, schema string) (*Cluster, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("shardtest: no shards")
	}
	c := &Cluster{Schema: schema, SingleSchema: schema + "_single", shardURLs: shards}
	open := func(u, schema string) (*pgx.Conn, error) {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("connect %s: %w", redact(u), err)
		}
		if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+sqlquote.Ident(schema)+"; SET search_path TO "+sqlquote.Ident(schema)); err != nil {
			conn.Close(ctx)
			return nil, fmt.Errorf("schema %s on %s: %w", schema, redact(u), err)
		}
		return conn, nil
	}
	var err error
	if c.Coordinator, err = open(coordinator, schema); err != nil {
		return nil, err
	}
	for _, u := range shards {
		conn, err := open(u, schema)
		if err != nil {
			c.Close(ctx)
			return nil, err
		}
		c.Shards = append(c.Shards, conn)
	}
	if c.Single, err = open(shards[0], c.SingleSchema); err != nil {
		c.Close(ctx)
		return nil, err
	}
	if _, err := c.Coordinator.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgres_fdw"); err != nil {
		c.Close(ctx)
		return nil, fmt.Errorf("coordinator: %w", err)
	}
	for i, s := range shards {
		u, err := url.Parse(s)
		if err != nil {
			c.Close(ctx)
			return nil, fmt.Errorf("shard %d: %w", i, err)
		}
		db := strings.TrimPrefix(u.Path, "/")
		user := u.User.Username()
		srv := c.server(i)
		stmt := fmt.Sprintf(`DROP SERVER IF EXISTS %[1]s CASCADE;
CREATE SERVER %[1]s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %[2]s, port %[3]s, dbname %[4]s, async_capable 'true', fetch_size '10000', extensions '');
CREATE USER MAPPING FOR CURRENT_USER SERVER %[1]s OPTIONS (user %[5]s)`,
			sqlquote.Ident(srv), sqlquote.String(u.Hostname()), sqlquote.String(u.Port()), sqlquote.String(db), sqlquote.String(user))
		if _, err := c.Coordinator.Exec(ctx, stmt); err != nil {
			c.Close(ctx)
			return nil, fmt.Errorf("coordinator: foreign server for shard %d: %w", i, err)
		}
	}
	return c, nil
}

// server names the coordinator's foreign server for shard i; it carries
// the schema so that tests running at once do not share servers.
func (c *Cluster) server(i int) string { return fmt.Sprintf("%s_shard%d", c.Schema, i) }

// Close drops the schemas and foreign servers and closes the connections.
func (c *Cluster) Close(ctx context.Context) {
	if c.Coordinator != nil {
		c.Coordinator.Exec(ctx, "DROP SCHEMA IF EXISTS "+sqlquote.Ident(c.Schema)+" CASCADE")
		for i := range c.shardURLs {
			c.Coordinator.Exec(ctx, "DROP SERVER IF EXISTS "+sqlquote.Ident(c.server(i))+" CASCADE")
		}
		c.Coordinator.Close(ctx)
	}
	for _, s := range c.Shards {
		s.Exec(ctx, "DROP SCHEMA IF EXISTS "+sqlquote.Ident(c.Schema)+" CASCADE")
		s.Close(ctx)
	}
	if c.Single != nil {
		c.Single.Exec(ctx, "DROP SCHEMA IF EXISTS "+sqlquote.Ident(c.SingleSchema)+" CASCADE")
		c.Single.Close(ctx)
	}
}

// pgTypes maps the DuckDB types of the canonical tables to Postgres's.
var pgTypes = map[string]string{"VARCHAR": "text", "DOUBLE": "double precision", "INTEGER": "integer", "BIGINT": "bigint",
	"TIMESTAMP": "timestamp", "DATE": "date", "BOOLEAN": "boolean"}

// Load copies each DuckDB table (or view) of tables, which must have a
// user_id column, into the cluster: on the coordinator a table of that
// name PARTITION BY HASH (user_id) whose partition i is a foreign table
// on shard i, holding there exactly the rows of that hash partition; and
// the whole table into SingleSchema on the first shard. The rows travel
// by binary COPY, from a temporary DuckDB copy of the table. Every table is analyzed, on the shards
// and through the foreign tables on the coordinator.
func (c *Cluster) Load(ctx context.Context, db *sql.DB, tables ...string) error {
	n := len(c.Shards)
	for _, tab := range tables {
		cols, names, err := columns(ctx, db, tab)
		if err != nil {
			return err
		}
		// Read the view (which parses the source files) once.
		src := "_shardtest_" + tab
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT * FROM %s", sqlquote.Ident(src), sqlquote.Ident(tab))); err != nil {
			return fmt.Errorf("duckdb: %s: %w", tab, err)
		}
		def := "(" + strings.Join(cols, ", ") + ")"
		t := sqlquote.Ident(tab)
		// The whole table on one server.
		if _, err := c.Single.Exec(ctx, "DROP TABLE IF EXISTS "+t+"; CREATE TABLE "+t+" "+def); err != nil {
			return fmt.Errorf("single server: create %s: %w", tab, err)
		}
		if err := copyRows(ctx, db, c.Single, src, tab, names); err != nil {
			return fmt.Errorf("single server: %w", err)
		}
		// Each shard loads the whole table into a local table partitioned
		// as the coordinator's is and keeps only its own partition (hash
		// partitioning is the same function on every server of a
		// version), so no row is routed through the coordinator.
		for i, s := range c.Shards {
			all := sqlquote.Ident(tab + "__all")
			var b strings.Builder
			fmt.Fprintf(&b, "DROP TABLE IF EXISTS %s, %s; CREATE TABLE %s %s PARTITION BY HASH (user_id);\n", t, all, all, def)
			for r := 0; r < n; r++ {
				fmt.Fprintf(&b, "CREATE TABLE %s PARTITION OF %s FOR VALUES WITH (MODULUS %d, REMAINDER %d);\n", sqlquote.Ident(fmt.Sprintf("%s__h%d", tab, r)), all, n, r)
			}
			if _, err := s.Exec(ctx, b.String()); err != nil {
				return fmt.Errorf("shard %d: create %s: %w", i, tab, err)
			}
			if err := copyRows(ctx, db, s, src, tab+"__all", names); err != nil {
				return fmt.Errorf("shard %d: %w", i, err)
			}
			own := sqlquote.Ident(fmt.Sprintf("%s__h%d", tab, i))
			if _, err := s.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DETACH PARTITION %s; DROP TABLE %s; ALTER TABLE %s RENAME TO %s; ANALYZE %s",
				all, own, all, own, t, t)); err != nil {
				return fmt.Errorf("shard %d: keep partition %d of %s: %w", i, i, tab, err)
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "DROP TABLE IF EXISTS %s; CREATE TABLE %s %s PARTITION BY HASH (user_id);\n", t, t, def)
		for i := range c.Shards {
			fmt.Fprintf(&b, "CREATE FOREIGN TABLE %s PARTITION OF %s FOR VALUES WITH (MODULUS %d, REMAINDER %d) SERVER %s OPTIONS (schema_name %s, table_name %s);\n",
				sqlquote.Ident(fmt.Sprintf("%s_p%d", tab, i)), t, n, i, sqlquote.Ident(c.server(i)), sqlquote.String(c.Schema), sqlquote.String(tab))
		}
		fmt.Fprintf(&b, "ANALYZE %s", t)
		if _, err := c.Coordinator.Exec(ctx, b.String()); err != nil {
			return fmt.Errorf("coordinator: %s: %w", tab, err)
		}
		if _, err := c.Single.Exec(ctx, "ANALYZE "+t); err != nil {
			return fmt.Errorf("single server: analyze %s: %w", tab, err)
		}
		if _, err := db.ExecContext(ctx, "DROP TABLE "+sqlquote.Ident(src)); err != nil {
			return fmt.Errorf("duckdb: %s: %w", src, err)
		}
	}
	return nil
}

// ShardView creates on every shard a view name AS query, over that
// shard's own partitions (query must read only per-user rows and group by
// user_id, as the feature catalogue does), and on the coordinator a table
// name PARTITION BY HASH (user_id) whose partition i is a foreign table on
// shard i's view. A select on it on the coordinator is an Append of one
// foreign scan per shard, run at the same time (async_capable), each
// shard computing its users' rows by itself. The column types are the
// view's on the first shard.
func (c *Cluster) ShardView(ctx context.Context, name, query string) error {
	v := sqlquote.Ident(name)
	for i, s := range c.Shards {
		if _, err := s.Exec(ctx, "DROP VIEW IF EXISTS "+v+"; CREATE VIEW "+v+" AS "+query); err != nil {
			return fmt.Errorf("shard %d: create view %s: %w", i, name, err)
		}
	}
	rows, err := c.Shards[0].Query(ctx, `SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, sqlquote.Ident(c.Schema)+"."+v)
	if err != nil {
		return fmt.Errorf("shard 0: columns of %s: %w", name, err)
	}
	var defs []string
	for rows.Next() {
		var col, typ string
		if err := rows.Scan(&col, &typ); err != nil {
			rows.Close()
			return err
		}
		defs = append(defs, sqlquote.Ident(col)+" "+typ)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "DROP TABLE IF EXISTS %s; CREATE TABLE %s (%s) PARTITION BY HASH (user_id);\n", v, v, strings.Join(defs, ", "))
	for i := range c.Shards {
		fmt.Fprintf(&b, "CREATE FOREIGN TABLE %s PARTITION OF %s FOR VALUES WITH (MODULUS %d, REMAINDER %d) SERVER %s OPTIONS (schema_name %s, table_name %s);\n",
			sqlquote.Ident(fmt.Sprintf("%s_p%d", name, i)), v, len(c.Shards), i, sqlquote.Ident(c.server(i)), sqlquote.String(c.Schema), sqlquote.String(name))
	}
	if _, err := c.Coordinator.Exec(ctx, b.String()); err != nil {
		return fmt.Errorf("coordinator: %s: %w", name, err)
	}
	return nil
}

// columns returns the Postgres column definitions and the column names
// of a DuckDB table.
func columns(ctx context.Context, db *sql.DB, tab string) (defs, names []string, err error) {
	rows, err := db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+sqlquote.Ident(tab)+")")
	if err != nil {
		return nil, nil, fmt.Errorf("describe %s: %w", tab, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, typ string
		if err := rows.Scan(&n, &typ); err != nil {
			return nil, nil, err
		}
		pt, ok := pgTypes[typ]
		if !ok {
			return nil, nil, fmt.Errorf("%s.%s: no Postgres type for %s", tab, n, typ)
		}
		names = append(names, n)
		defs = append(defs, sqlquote.Ident(n)+" "+pt)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if !slices.Contains(names, "user_id") {
		return nil, nil, fmt.Errorf("%s: no user_id column to partition by", tab)
	}
	return defs, names, nil
}

// copyRows streams DuckDB table from into Postgres table to by binary COPY.
func copyRows(ctx context.Context, db *sql.DB, conn *pgx.Conn, from, to string, names []string) error {
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+sqlquote.Ident(from))
	if err != nil {
		return fmt.Errorf("read %s: %w", from, err)
	}
	defer rows.Close()
	v := make([]any, len(names))
	p := make([]any, len(names))
	for i := range v {
		p[i] = &v[i]
	}
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(p...); err != nil {
			return nil, err
		}
		return v, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{to}, names, src); err != nil {
		return fmt.Errorf("copy %s into %s: %w", from, to, err)
	}
	return nil
}

// redact drops the password of a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
