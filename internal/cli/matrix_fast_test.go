package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

// compareReaders reads the same file with readMatrixCSV and
// readMatrixCSVCompact and reports any difference in matrix, header or
// error.
func compareReaders(t *testing.T, content string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	wantX, wantH, wantErr := readMatrixCSV(path)
	gotX, gotH, gotErr := readMatrixCSVCompact(path)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("%q: error %v, readMatrixCSV %v", content, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if diff := cmp.Diff(wantH, gotH); diff != "" {
		t.Errorf("%q: header (-readMatrixCSV +compact):\n%s", content, diff)
	}
	if !mat.Equal(wantX, gotX) {
		t.Errorf("%q: matrix\n%v\nreadMatrixCSV\n%v", content, mat.Formatted(gotX), mat.Formatted(wantX))
	}
	if r, c := gotX.Dims(); cap(gotX.RawMatrix().Data) != r*c {
		t.Errorf("%q: backing array has capacity %d for %dx%d", content, cap(gotX.RawMatrix().Data), r, c)
	}
}

var csvReaderCases = []struct{ name, content string }{
	{"header", "a,b\n1,2\n3,4\n"},
	{"no header", "1,2\n3,4\n"},
	{"no final newline", "a,b\n1,2\n3,4"},
	{"crlf", "a,b\r\n1,2\r\n3,4\r\n"},
	{"crlf no final newline", "1,2\r\n3,4\r"},
	{"blank lines", "\n\na,b\n\n1,2\n\n3,4\n\n"},
	{"spaces", " a , b \n 1 , 2 \n3,\t4\n"},
	{"one column", "x\n1\n2\n-3e5\n"},
	{"exponents and signs", "+1,-2.5e-3\n.5,1E10\n0x1p-2,-0\n"},
	{"header only", "a,b\n"},
	{"empty", ""},
	{"only blank lines", "\n\n\r\n"},
	{"wrong field count", "a,b\n1,2\n3\n"},
	{"wrong field count first data", "1,2\n3,4,5\n"},
	{"not a number", "a,b\n1,2\n3,x\n"},
	{"empty field", "a,b\n1,\n"},
	{"nan", "a,b\n1,NaN\n"},
	{"inf", "1,2\n3,-Inf\n"},
	{"huge", "1e400,2\n"},
	{"quoted header", "\"a\",\"b\"\n1,2\n"},
	{"quoted number", "1,\"2\"\n"},
	{"bare quote", "1,2\"\n"},
	{"lone cr", "1,2\r3,4\n"},
	{"spaces only line", "1\n \n2\n"},
	{"trailing comma", "1,2,\n3,4,\n"},
}

func TestReadMatrixCSVCompact(t *testing.T) {
	for _, tt := range csvReaderCases {
		t.Run(tt.name, func(t *testing.T) { compareReaders(t, tt.content) })
	}
}

func TestReadMatrixCSVCompactLongLine(t *testing.T) {
	// A line longer than the reader's 1 MiB buffer.
	b := make([]byte, 0, 3<<20)
	b = append(b, "1"...)
	for range 400000 {
		b = append(b, ",1.25"...)
	}
	b = append(b, '\n')
	b = append(b, b...)
	compareReaders(t, string(b))
}

func FuzzReadMatrixCSVCompact(f *testing.F) {
	for _, tt := range csvReaderCases {
		f.Add(tt.content)
	}
	f.Fuzz(func(t *testing.T, content string) {
		compareReaders(t, content)
	})
}
