package dataset

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// windows1252 reports whether enc (a csv.encoding) names Windows-1252.
func windows1252(enc string) bool {
	enc = strings.ToLower(enc)
	return enc == "windows-1252" || enc == "cp1252"
}

// toUTF8 returns files with every file replaced by a UTF-8 copy of it read
// as Windows-1252 (a gzip or zstd file decompressed on the way), in a
// temporary folder of the load's own, removed after loading. DuckDB reads
// no Windows-1252 (its encodings extension is not loaded in the sandbox),
// and reading such a file as Latin-1 turns € and the typographic quotes
// into control characters. A byte keeps its line: the copy has the
// file's lines, so rejects name the file's lines.
func (l *loader) toUTF8(files, display []string) ([]string, error) {
	out := make([]string, len(files))
	for i, f := range files {
		tmp, err := os.MkdirTemp(l.work, "persona-cp1252-")
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", display[i], err)
		}
		l.temps = append(l.temps, tmp)
		name := filepath.Base(f)
		for _, ext := range []string{".gz", ".zst"} {
			if strings.HasSuffix(strings.ToLower(name), ext) {
				name = name[:len(name)-len(ext)]
			}
		}
		out[i] = filepath.Join(tmp, name)
		if err := copyWindows1252(f, out[i]); err != nil {
			return nil, fmt.Errorf("read %s: %w", display[i], err)
		}
	}
	return out, nil
}

// copyWindows1252 writes the text of path, read as Windows-1252, to out as
// UTF-8.
func copyWindows1252(path, out string) error {
	in, err := openPlain(path)
	if err != nil {
		return err
	}
	defer in.Close()
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, charmap.Windows1252.NewDecoder().Reader(in)); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
