package dataset

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// sniffLines is how many lines the sniffing prefix of a gzipped file
// holds: twice sniff's sample of 20,480 rows and the header, so that
// quoted line breaks cannot leave it short of the sample.
const sniffLines = 2*20480 + 1

// maxSniffPrefix caps the prefix: a file whose first sniffLines lines are
// longer is sniffed once it is decompressed.
const maxSniffPrefix = 64 << 20

// gunzipAndSniff returns files with every .gz file replaced by a
// decompressed copy (in a temporary folder, in DuckDB's temp_directory
// when set) and the sniffed dialect and columns of the first. The copies
// are written in parallel; a gzipped first file is sniffed from a copy of
// its first sniffLines lines while the rest is still being decompressed,
// which gives what sniffing the whole copy gives (sniff reads its sample
// from the top).
func (l *loader) gunzipAndSniff(ctx context.Context, files, display, opts []string) ([]string, *sniffed, error) {
	plain := append([]string(nil), files...)
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var prefix chan string
	for i, f := range files {
		if !strings.HasSuffix(strings.ToLower(f), ".gz") {
			continue
		}
		out, err := l.gunzipTarget(f)
		if err != nil {
			wg.Wait()
			return nil, nil, fmt.Errorf("read %s: %w", display[i], err)
		}
		plain[i] = out
		var ch chan<- string
		if i == 0 {
			prefix = make(chan string, 1)
			ch = prefix
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = gunzip(f, out, ch)
		}()
	}
	at := plain[0]
	if prefix != nil {
		if at = <-prefix; at == "" {
			// A short file, or one that failed: sniff the whole copy.
			wg.Wait()
			at = plain[0]
		}
	}
	var sn *sniffed
	var err error
	if prefix == nil || at != plain[0] || errs[0] == nil {
		sn, err = sniff(ctx, l.db, at, opts)
	}
	wg.Wait()
	for i, e := range errs {
		if e != nil {
			return nil, nil, fmt.Errorf("read %s: %w", display[i], e)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sniff %s: %w", display[0], shortError(err))
	}
	return plain, sn, nil
}

// gunzipTarget makes a temporary folder (in the load's own) for the
// decompressed copy of path and returns the copy's name (path without
// .gz).
func (l *loader) gunzipTarget(path string) (string, error) {
	tmp, err := os.MkdirTemp(l.work, "persona-gunzip-")
	if err != nil {
		return "", err
	}
	l.temps = append(l.temps, tmp)
	return filepath.Join(tmp, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))), nil
}

// gunzip decompresses path into out. With a prefix channel it also writes
// the first sniffLines lines to out+".sniff" as soon as they are there and
// sends that name, or "" when the file is shorter (or fails): it sends
// exactly once.
func gunzip(path, out string, prefix chan<- string) (err error) {
	var pw *prefixWriter
	if prefix != nil {
		pw = &prefixWriter{path: out + ".sniff", ch: prefix}
		defer pw.finish()
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	z, err := gzip.NewReader(bufio.NewReaderSize(in, 1<<20))
	if err != nil {
		return fmt.Errorf("not a gzip file (it ends in .gz): %w", err)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	var w io.Writer = f
	if pw != nil {
		w = io.MultiWriter(f, pw)
	}
	if _, err := io.Copy(w, z); err != nil {
		f.Close()
		return fmt.Errorf("decompress (truncated or corrupt gzip data?): %w", err)
	}
	return f.Close()
}

// prefixWriter keeps what is written to it until it holds sniffLines
// lines, then writes those to path and sends path on ch.
type prefixWriter struct {
	path  string
	ch    chan<- string
	buf   []byte
	lines int
	sent  bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if p.sent {
		return len(b), nil
	}
	from := len(p.buf)
	p.buf = append(p.buf, b...)
	for i := from; i < len(p.buf); {
		j := bytes.IndexByte(p.buf[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		if p.lines++; p.lines == sniffLines {
			if err := os.WriteFile(p.path, p.buf[:i], 0o644); err != nil {
				p.send("")
			} else {
				p.send(p.path)
			}
			return len(b), nil
		}
	}
	if len(p.buf) > maxSniffPrefix {
		p.send("")
	}
	return len(b), nil
}

func (p *prefixWriter) send(path string) {
	p.ch <- path
	p.sent, p.buf = true, nil
}

// finish sends "" unless the prefix was sent.
func (p *prefixWriter) finish() {
	if !p.sent {
		p.send("")
	}
}
