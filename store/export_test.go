package store

import "database/sql"

// DB returns the store's database.
func (s *Store) DB() *sql.DB { return s.db }

// Portable returns a store on s's database whose Save writes with INSERT
// statements only.
func Portable(s *Store) *Store {
	c := *s
	c.owned, c.opts.Bulk = false, nil
	return &c
}
