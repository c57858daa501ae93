package pgdemo

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// AddAttributes gives the users table of schema (made by Load, typed)
// per-customer columns of every attribute type, as a CRM export holds
// them, mostly as text (money with a currency sign and thousands
// separators, yes/no, lists, levels in any case, missing markers), and
// adds a survey table (a profiles table) about two thirds of the users
// answered. Every value comes from the md5 of the user id, so the same
// users get the same values. A few values are bad, to be rejected with
// their row: a score "abc", a tier not among the levels, a date of birth
// in the future.
func AddAttributes(ctx context.Context, conn *pgx.Conn, schema string) error {
	users := pgx.Identifier{schema, "users"}.Sanitize()
	survey := pgx.Identifier{schema, "survey"}.Sanitize()
	// b(i) is byte i of the md5 of the user id: 0-255.
	b := func(i int) string { return fmt.Sprintf("get_byte(decode(md5(coalesce(user_id, '')), 'hex'), %d)", i) }
	stmts := []string{
		"ALTER TABLE " + users + " ADD COLUMN plan text, ADD COLUMN score text, ADD COLUMN birth_date date, ADD COLUMN newsletter text, ADD COLUMN interests text, ADD COLUMN tier text, ADD COLUMN churn text, ADD COLUMN refunds double precision, ADD COLUMN last_contact timestamp",
		fmt.Sprintf(`UPDATE %s SET
			plan = (ARRAY['free', 'basic', 'pro', 'premium', 'NA', ' Basic '])[1 + %s %% 6],
			score = CASE %[3]s %% 9 WHEN 0 THEN '' WHEN 1 THEN 'n/a' WHEN 2 THEN CAST(%[4]s / 8.0 AS text)
				ELSE '$' || to_char(%[3]s * %[4]s / 3.0, 'FM99,990.00') END,
			birth_date = CASE WHEN birth_year BETWEEN 1900 AND 2010 THEN make_date(birth_year, 1 + %[5]s %% 12, 1 + %[6]s %% 28) END,
			newsletter = (ARRAY['yes', 'no', 'Y', NULL, 'false'])[1 + %[7]s %% 5],
			interests = (ARRAY['books, travel', 'music', '', 'travel,music , books', NULL, 'cooking'])[1 + %[8]s %% 6],
			tier = (ARRAY['Bronze', 'silver', 'GOLD', NULL, 'gold'])[1 + %[9]s %% 5],
			churn = CASE WHEN %[10]s %% 4 = 0 THEN 'Yes' ELSE 'No' END,
			refunds = CASE WHEN %[11]s %% 5 = 0 THEN NULL ELSE %[11]s / 25.5 END,
			last_contact = CASE WHEN %[12]s %% 7 <> 0 THEN TIMESTAMP '2024-01-01 09:30:00' - %[12]s * interval '1 day 1 hour' END`,
			users, b(0), b(1), b(2), b(3), b(4), b(5), b(6), b(7), b(8), b(9), b(14)),
		"UPDATE " + users + " SET score = 'abc' WHERE user_id = 'U000007'",
		"UPDATE " + users + " SET tier = 'platinum' WHERE user_id = 'U000008'",
		"UPDATE " + users + " SET birth_date = DATE '2999-01-01' WHERE user_id = 'U000009'",
		fmt.Sprintf(`CREATE TABLE %s AS SELECT user_id AS customer,
			(ARRAY['18-24', '25-34', '35-44', '45+'])[1 + %s %% 4] AS age_band,
			%s %% 11 AS nps, %s %% 3 = 0 AS recommends
			FROM %s WHERE user_id IS NOT NULL AND %s %% 3 <> 0`, survey, b(10), b(11), b(12), users, b(13)),
		"ANALYZE " + users,
		"ANALYZE " + survey,
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("add attributes: %w", err)
		}
	}
	return nil
}

// AttrConfig is Config with the attributes and outcomes of AddAttributes
// (one of every type that becomes features; the users' gender read as an
// attribute, so not also as the canonical field), the survey as a
// profiles table keyed by its customer column, and custom features over
// events, transactions and the survey (one reads a column that is no
// canonical field).
func AttrConfig(dsn, schema, engine string) string {
	s := ""
	if engine != "" {
		s = "engine: " + engine + "\n"
	}
	for _, t := range Tables {
		s += fmt.Sprintf("%s:\n  postgres:\n    dsn: %q\n    table: %s.%s\n", t.Name, dsn, schema, t.Name)
		if t.Name == "users" {
			s += `  attributes:
    plan: categorical
    score: numeric
    birth: {column: birth_date, type: age}
    newsletter: boolean
    interests: list
    tier: {type: ordinal, levels: [bronze, silver, gold]}
    gender: categorical
    last_contact: date
  outcomes:
    refund_rate: refunds
`
		}
	}
	s += fmt.Sprintf(`profiles:
  survey:
    postgres:
      dsn: %q
      table: %s.survey
    columns:
      user_id: customer
    attributes:
      age_band: ordinal
      nps: numeric
      recommends: boolean
outcomes:
  churned: churn = 'Yes'
features:
  custom:
    - {name: carts, from: events, select: "count(*) FILTER (WHERE event_type = 'add_to_cart')"}
    - {name: big_orders, from: transactions, select: "count(DISTINCT order_id) FILTER (WHERE quantity >= 3)"}
    - {name: best_nps, from: survey, select: "max(nps)"}
`, dsn, schema)
	return s
}
