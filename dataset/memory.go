package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/persona-seg/persona/internal/sysmem"
)

// The default memory budget of the embedded DuckDB, used when the config
// sets no duckdb.memory_limit: a quarter of the memory the process may
// use (the RAM, or its cgroup's limit), at least MinMemoryLimit and at
// most MaxMemoryLimit. The rest is left to the Go side of a run (the
// feature matrix and its scaled copy, about 2 × 8 bytes × users ×
// features, and the clustering space) and to the other programs on the
// machine; beyond the limit DuckDB spills to its temp_directory.
const (
	DefaultMemoryShare = 0.25
	MinMemoryLimit     = 256 << 20
	MaxMemoryLimit     = 4 << 30
	// unknownRAMLimit is the budget where the memory cannot be read.
	unknownRAMLimit = 1 << 30
)

// Memory is the budget a load gave the embedded DuckDB, as summaries
// report it.
type Memory struct {
	// Limit is DuckDB's memory_limit as it reports it ("4.0 GiB").
	Limit string `json:"duckdb_memory_limit"`
	// LimitBytes is the limit persona asked for, in bytes; 0 when it is
	// the config's text.
	LimitBytes int64 `json:"duckdb_memory_limit_bytes,omitempty"`
	// Rule says where the limit comes from: the config key, or the
	// default's rule and the memory it was taken from.
	Rule string `json:"rule"`
	// TempDirectory is where DuckDB spills beyond the limit.
	TempDirectory string `json:"temp_directory"`
	// Threads is DuckDB's number of threads.
	Threads int `json:"threads"`
}

// DefaultMemoryLimit is the default memory_limit for a process that may
// use ram bytes (0 when unknown), and the rule that gave it.
func DefaultMemoryLimit(ram int64, from string) (int64, string) {
	if ram <= 0 {
		return unknownRAMLimit, "default: " + formatBytes(unknownRAMLimit) + " (the machine's memory is unknown)"
	}
	lim := int64(float64(ram) * DefaultMemoryShare)
	rule := fmt.Sprintf("default: %.0f%% of %s %s", 100*DefaultMemoryShare, formatBytes(ram), from)
	switch {
	case lim > MaxMemoryLimit:
		lim = MaxMemoryLimit
		rule += ", capped at " + formatBytes(MaxMemoryLimit)
	case lim < MinMemoryLimit:
		lim = MinMemoryLimit
		rule += ", raised to the minimum " + formatBytes(MinMemoryLimit)
	}
	return lim, rule
}

// formatBytes writes n in GiB (MiB below 1 GiB), one decimal.
func formatBytes(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", math.Round(float64(n)/(1<<20)))
}

// budget returns the memory limit to set (as SQL text), its bytes (0 for
// the config's text) and its rule.
func (r Resources) budget() (string, int64, string) {
	if r.MemoryLimit != "" {
		return r.MemoryLimit, 0, "duckdb.memory_limit"
	}
	ram, from, err := sysmem.Total()
	if err != nil {
		ram = 0
	}
	lim, rule := DefaultMemoryLimit(ram, from)
	return fmt.Sprintf("%dB", lim), lim, rule
}

// readMemory reads back the settings applyResources made.
func readMemory(ctx context.Context, db *sql.DB, m *Memory) error {
	var threads int64
	if err := db.QueryRowContext(ctx, "SELECT current_setting('memory_limit'), current_setting('temp_directory'), current_setting('threads')").
		Scan(&m.Limit, &m.TempDirectory, &threads); err != nil {
		return fmt.Errorf("duckdb settings: %w", err)
	}
	m.Threads = int(threads)
	return nil
}
