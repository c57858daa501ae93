package dataset

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// yamlEscape writes s for a YAML double-quoted scalar (quoted) or a
// comment: backslashes and double quotes (quoted only) are escaped, and so
// is every character that is no printable text — line breaks above all
// (YAML readers take NEL, U+2028 and U+2029 for line breaks too), which
// would end a comment or a value and let a column name write config keys.
func yamlEscape(s string, quoted bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case quoted && (r == '\\' || r == '"'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t' && quoted:
			b.WriteString(`\t`)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == utf8.RuneError:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// textSample is how much of a file persona init reads to tell text from
// binary data.
const textSample = 64 << 10

// checkDraftable returns why persona init cannot draft from the files of
// path (a file or glob) in format, if it can tell: one is not a regular
// file, or holds binary data rather than CSV or JSON text (a NUL byte, or
// more than a tenth of control characters, in its first 64 KiB, a UTF-16
// byte order mark aside).
func checkDraftable(path, format string) error {
	files := []string{path}
	if strings.ContainsAny(path, "*?[") {
		m, err := filepath.Glob(path)
		if err != nil || len(m) == 0 {
			return fmt.Errorf("no file matches %s", path)
		}
		files = m
	}
	for _, f := range files {
		if err := regularFile(f); err != nil {
			return err
		}
		if format == "parquet" {
			continue
		}
		if format == "json" {
			if err := checkJSONDepth(f, f); err != nil {
				return err
			}
		}
		in, err := openPlain(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		head, err := io.ReadAll(io.LimitReader(in, textSample))
		in.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
			continue // UTF-16 text
		}
		if i := bytes.IndexByte(head, 0); i >= 0 {
			return fmt.Errorf("%s holds a NUL byte (at byte %d): it is no %s text file", f, i+1, format)
		}
		control := 0
		for _, c := range head {
			if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' || c == 0x7f {
				control++
			}
		}
		if len(head) > 0 && control*10 > len(head) {
			return fmt.Errorf("%s looks binary (%d of its first %d bytes are control characters): it is no %s text file", f, control, len(head), format)
		}
	}
	return nil
}

// textEncoding guesses the csv.encoding of the text file path from its
// first 64 KiB: "utf-16" after a UTF-16 byte order mark, "latin-1" when
// they are no valid UTF-8 (a character cut at the sample's end aside),
// else "" (UTF-8, DuckDB's default). Latin-1 reads every byte, so a
// Windows-1252 file (a € is byte 0x80) reads too, with that byte a control
// character.
func textEncoding(path string) (string, error) {
	in, err := openPlain(path)
	if err != nil {
		return "", err
	}
	head, err := io.ReadAll(io.LimitReader(in, textSample))
	in.Close()
	if err != nil {
		return "", err
	}
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		return "utf-16", nil
	}
	if len(head) == textSample {
		// the last character may be cut: drop an incomplete one
		for i := 0; i < utf8.UTFMax && i < len(head); i++ {
			if utf8.RuneStart(head[len(head)-1-i]) {
				if !utf8.FullRune(head[len(head)-1-i:]) {
					head = head[:len(head)-1-i]
				}
				break
			}
		}
	}
	if !utf8.Valid(head) {
		// Bytes 0x80-0x9F are control characters in Latin-1, never
		// meant in a CSV file: Windows-1252's €, ‚, „, …, quotes, dashes.
		for _, c := range head {
			if c >= 0x80 && c <= 0x9f {
				return "windows-1252", nil
			}
		}
		return "latin-1", nil
	}
	return "", nil
}
