package dataset_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/persona-seg/persona/dataset"
)

// TestDraftEscapes drafts configs from files whose column names and values
// hold line breaks followed by config keys: the draft must load with no
// filter, each name as it is in the file, and load the rows.
func TestDraftEscapes(t *testing.T) {
	dir := t.TempDir()
	inject := "x\nfilter: 1 = 0\n#"
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var users strings.Builder
	users.WriteString("user_id,\"Plan" + inject + "\",\"Note\u2028filter: false\"\n")
	for i := range 30 {
		users.WriteString("U" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ",\"" + []string{"basic", "pro" + inject}[i%2] + "\",n\u0085filter: 1 = 0\n")
	}
	events := "user_id,timestamp,event_type,\"note" + inject + "\"\nU1,2024-01-01 10:00:00,view,a\n"
	for _, tt := range []struct {
		name string
		k    dataset.Kind
		path string
	}{
		{"users", dataset.Users, write("users.csv", users.String())},
		{"events", dataset.Events, write("events.csv", events)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t)
			text, _, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{tt.k: tt.path}, dir)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := dataset.ParseConfig(text)
			if err != nil {
				t.Fatalf("the draft does not parse: %v\n%s", err, text)
			}
			s := cfg.Source(tt.k)
			if s.Filter != "" {
				t.Fatalf("a column name wrote filter %q:\n%s", s.Filter, text)
			}
			if tt.k == dataset.Users {
				var cols []string
				for _, a := range cfg.Users.Attributes {
					cols = append(cols, a.Column)
				}
				if !strings.Contains(strings.Join(cols, "|"), "Plan"+inject) {
					t.Errorf("attribute columns %q, want one named %q\n%s", cols, "Plan"+inject, text)
				}
			}
			cfg.SetDir(dir)
			if _, err := dataset.Load(context.Background(), openDB(t), cfg); err != nil {
				t.Errorf("the draft does not load: %v\n%s", err, text)
			}
		})
	}
}

// TestDraftRefuses checks that persona init refuses files it cannot draft
// from: binary or NUL-filled ones, a FIFO (which would block it), a folder,
// and JSON nested too deeply for DuckDB.
func TestDraftRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i*7 + 3) // every byte value, NUL included
	}
	noNUL := make([]byte, 4096)
	for i := range noNUL {
		noNUL[i] = byte(1 + i%31) // control characters, no NUL
	}
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.csv")
	os.Mkdir(folder, 0o755)
	// A FIFO without an extension, as a shell's <(zcat x.csv.gz) names it.
	bare := filepath.Join(dir, "63")
	if err := syscall.Mkfifo(bare, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"NUL bytes", write("nul.csv", []byte("user_id,x\nU1,\x00\x00\x00\n")), "holds a NUL byte (at byte 14)"},
		{"binary", write("bin.csv", binary), "holds a NUL byte"},
		{"control characters", write("ctl.csv", noNUL), "looks binary"},
		{"binary JSON", write("bin.jsonl", binary), "holds a NUL byte"},
		{"FIFO", fifo, "not a regular file (a FIFO)"},
		{"folder", folder, "not a regular file (a folder"},
		{"FIFO without an extension", bare, "not a regular file (a FIFO)"},
		{"device", "/dev/zero", "not a regular file (a device)"},
		{"deep JSON", write("deep.jsonl", []byte(`{"user_id": "U1"}`+"\n"+strings.Repeat("[", 20000)+"\n")), "line 2 nests arrays and objects more than 100 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := dataset.Draft(context.Background(), openDB(t), map[dataset.Kind]string{dataset.Events: tt.path}, dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
