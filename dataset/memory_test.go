package dataset_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/persona-seg/persona/dataset"
)

func TestDefaultMemoryLimit(t *testing.T) {
	const gib = int64(1) << 30
	tests := []struct {
		name     string
		ram      int64
		want     int64
		wantRule string
	}{
		{"24 GiB machine: capped", 24 * gib, dataset.MaxMemoryLimit, "default: 25% of 24.0 GiB RAM (/proc/meminfo), capped at 4.0 GiB"},
		{"8 GiB laptop: a quarter", 8 * gib, 2 * gib, "default: 25% of 8.0 GiB RAM (/proc/meminfo)"},
		{"16 GiB: exactly the cap", 16 * gib, 4 * gib, "default: 25% of 16.0 GiB RAM (/proc/meminfo)"},
		{"512 MiB container: the minimum", 512 << 20, dataset.MinMemoryLimit, "default: 25% of 512 MiB RAM (/proc/meminfo), raised to the minimum 256 MiB"},
		{"unknown", 0, 1 * gib, "default: 1.0 GiB (the machine's memory is unknown)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rule := dataset.DefaultMemoryLimit(tt.ram, "RAM (/proc/meminfo)")
			if got != tt.want || rule != tt.wantRule {
				t.Errorf("DefaultMemoryLimit(%d) = %d, %q; want %d, %q", tt.ram, got, rule, tt.want, tt.wantRule)
			}
		})
	}
}

// TestLoadMemory checks that a load without duckdb settings bounds DuckDB
// by the default budget and spills into LoadOptions.TempDirectory, and
// that the config's settings win.
func TestLoadMemory(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(users, []byte("user_id,age\nu1,30\nu2,40\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stage := filepath.Join(dir, "stage", "tmp")
	tests := []struct {
		name              string
		res               dataset.Resources
		wantLimit         string
		wantRule, wantTmp string
		wantThreads       int
	}{
		{name: "defaults", wantRule: "default: 25% of", wantTmp: stage},
		{name: "the config's", res: dataset.Resources{MemoryLimit: "300MB", TempDirectory: filepath.Join(dir, "spill"), Threads: 1},
			wantLimit: "286.1 MiB", wantRule: "duckdb.memory_limit", wantTmp: filepath.Join(dir, "spill"), wantThreads: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &dataset.Config{Users: &dataset.Source{Path: users}, DuckDB: tt.res}
			db := openDB(t)
			st, err := dataset.LoadWith(context.Background(), db, cfg, dataset.LoadOptions{TempDirectory: stage})
			if err != nil {
				t.Fatal(err)
			}
			m := st.Memory
			if !strings.HasPrefix(m.Rule, tt.wantRule) || m.TempDirectory != tt.wantTmp {
				t.Errorf("memory %+v, want rule %q..., temp_directory %s", m, tt.wantRule, tt.wantTmp)
			}
			if tt.wantLimit != "" && m.Limit != tt.wantLimit {
				t.Errorf("limit %q, want %q", m.Limit, tt.wantLimit)
			}
			if tt.res.MemoryLimit == "" {
				if m.LimitBytes < dataset.MinMemoryLimit || m.LimitBytes > dataset.MaxMemoryLimit {
					t.Errorf("default limit %d bytes, outside [%d, %d]", m.LimitBytes, dataset.MinMemoryLimit, dataset.MaxMemoryLimit)
				}
				// DuckDB reports the limit in its own units: the bytes
				// asked for, rounded.
				if want := fmtGiB(m.LimitBytes); m.Limit != want {
					t.Errorf("DuckDB's memory_limit %q, want %q (%d bytes)", m.Limit, want, m.LimitBytes)
				}
			}
			if tt.wantThreads != 0 && m.Threads != tt.wantThreads {
				t.Errorf("threads %d, want %d", m.Threads, tt.wantThreads)
			}
		})
	}
}

// fmtGiB writes n as DuckDB does: GiB or MiB with one decimal.
func fmtGiB(n int64) string {
	if n >= 1<<30 {
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}
