package store

import "database/sql"

// Portable returns a store on s's database whose Save writes with INSERT
// statements only, as it does with drivers other than duckdb-go and pgx.
func Portable(s *Store) *Store {
	c := *s
	c.owned, c.portable = false, true
	return &c
}

// DB returns the store's database.
func (s *Store) DB() *sql.DB { return s.db }
