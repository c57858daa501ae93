package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// TestWriteFeaturesNoUsers checks that a table without users is an error
// and leaves no file behind, not even the temporary one.
func TestWriteFeaturesNoUsers(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open(DriverName, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, k := range dataset.Kinds {
		var cols []string
		for _, f := range dataset.Schema(k) {
			cols = append(cols, f.Name+" "+f.Type)
		}
		if _, err := db.Exec("CREATE TABLE " + string(k) + " (" + strings.Join(cols, ", ") + ")"); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"features.parquet", "features.csv"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			asOf := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			_, _, _, err := writeFeatures(ctx, db, features.Options{AsOf: asOf}, filepath.Join(dir, "."+name+".tmp"), path, func(int, int) {})
			if err == nil || !strings.Contains(err.Error(), "no users found") {
				t.Fatalf("err = %v, want no users found", err)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 0 {
				t.Errorf("files left behind: %v", left)
			}
		})
	}
}
