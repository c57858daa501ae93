package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// Kind names one of the four canonical datasets.
type Kind string

// The canonical datasets. Each becomes a table of the same name.
const (
	Users        Kind = "users"
	Events       Kind = "events"
	Transactions Kind = "transactions"
	Social       Kind = "social"
)

// Kinds lists the canonical datasets in load order.
var Kinds = []Kind{Users, Events, Transactions, Social}

// Field is one canonical column of a dataset.
type Field struct {
	Name     string
	Type     string // SQL type: VARCHAR, TIMESTAMP, DATE, INTEGER, DOUBLE
	Required bool   // a row without it cannot be used
}

// Schema returns the canonical fields of a dataset, in file order; a
// profiles table (any other kind) has only user_id.
func Schema(k Kind) []Field {
	switch k {
	case Users:
		return []Field{
			{"user_id", "VARCHAR", true},
			{"signup_date", "DATE", false},
			{"birth_year", "INTEGER", false},
			{"gender", "VARCHAR", false},
			{"country", "VARCHAR", false},
			{"acquisition_channel", "VARCHAR", false},
			{"device", "VARCHAR", false},
		}
	case Events:
		return []Field{
			{"user_id", "VARCHAR", true},
			{"timestamp", "TIMESTAMP", true},
			{"session_id", "VARCHAR", false},
			{"event_type", "VARCHAR", true},
			{"category", "VARCHAR", false},
			{"device", "VARCHAR", false},
		}
	case Transactions:
		return []Field{
			{"user_id", "VARCHAR", true},
			{"order_id", "VARCHAR", true},
			{"timestamp", "TIMESTAMP", true},
			{"product_id", "VARCHAR", false},
			{"category", "VARCHAR", false},
			{"quantity", "DOUBLE", true},
			{"unit_price", "DOUBLE", true},
			{"discount", "DOUBLE", false},
		}
	case Social:
		return []Field{
			{"user_id", "VARCHAR", true},
			{"timestamp", "TIMESTAMP", true},
			{"platform", "VARCHAR", false},
			{"action", "VARCHAR", true},
			{"topic", "VARCHAR", false},
		}
	}
	// Any other kind is a profiles table: a user key and attributes.
	return []Field{{"user_id", "VARCHAR", true}}
}

// EventTypes are the canonical event types, which get their own counts
// (events.event_types maps other names to them).
var EventTypes = []string{"page_view", "search", "product_view", "add_to_cart", "checkout", "login"}

// SocialActions are the canonical social actions, which get their own
// counts.
var SocialActions = []string{"post", "like", "share", "comment", "follow"}

// Sources names the CSV file of each dataset; an empty path means the
// dataset is absent. At least one must be set.
type Sources struct {
	Users        string
	Events       string
	Transactions string
	Social       string
}

// Path returns the source path of dataset k.
func (s Sources) Path(k Kind) string {
	switch k {
	case Users:
		return s.Users
	case Events:
		return s.Events
	case Transactions:
		return s.Transactions
	case Social:
		return s.Social
	}
	return ""
}

// Stats counts the rows loaded per dataset.
type Stats struct {
	// Rows is the number of rows read from each dataset's source.
	Rows map[Kind]int64
	// Counts says what became of them.
	Counts map[Kind]Counts
	// Memory is the budget the load gave DuckDB, which the rest of the
	// run keeps.
	Memory Memory
}

// errNoData is the error of a config or draft that names no dataset
// (no caller branches on it, so it is not exported).
var errNoData = errors.New("no dataset given: set at least one of users, events, transactions, social")

// Config returns a config that reads the CSV files of s with canonical
// column names.
func (s Sources) Config() *Config {
	c := &Config{}
	for _, k := range Kinds {
		if p := s.Path(k); p != "" {
			src := &Source{Path: p, Format: "csv"}
			switch k {
			case Users:
				c.Users = src
			case Events:
				c.Events = src
			case Transactions:
				c.Transactions = src
			case Social:
				c.Social = src
			}
		}
	}
	return c
}

// LoadCSV loads the CSV files named in src (header row, canonical column
// names) with Load's validation and rules. A dataset without a file
// becomes an empty table with the canonical columns, so feature SQL can
// always refer to all four.
func LoadCSV(ctx context.Context, db *sql.DB, src Sources) (Stats, error) {
	return Load(ctx, db, src.Config())
}

func createEmpty(k Kind) string {
	var cols []string
	for _, f := range Schema(k) {
		cols = append(cols, sqlquote.Ident(f.Name)+" "+f.Type)
	}
	return fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", k, strings.Join(cols, ", "))
}
