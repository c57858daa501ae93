package cli

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/sqlquote"
	"github.com/persona-seg/persona/pipeline"
)

// wire says where features were computed and how many rows crossed the
// wire from Postgres (featuresSummary.Engine, RowsTransferred).
type wire struct {
	engine string
	rows   int64
}

// pushFeatures is computeFeatures pushed down: the canonical views, the
// row checks and the feature query run in the Postgres server that holds
// the datasets, and only the feature table (and a sample of the rejected
// rows) comes back, to be written to out.
func pushFeatures(ctx context.Context, cfg *dataset.Config, opts *FeaturesOptions, out *pipeline.FileOut, counts map[string]dataset.Counts, warnings *[]string, where *wire, prog *progress) (n, d int, written []string, err error) {
	prog.update(pipeline.Progress{Step: "load"})
	p, err := dataset.OpenPushdown(ctx, cfg, dataset.PushdownOptions{})
	var rr *dataset.RejectRateError
	if err != nil && !errors.As(err, &rr) {
		return 0, 0, nil, err
	}
	defer p.Close()
	for k, c := range p.Stats.Counts {
		counts[string(k)] = c
	}
	files, werr := p.WriteRejects(out.RejectsTemp())
	if werr != nil {
		return 0, 0, nil, errors.Join(err, werr)
	}
	if written, err = landRejects(out, opts.Rejects, files, err, rr); err != nil {
		return 0, 0, nil, err
	}
	prog.update(pipeline.Progress{Step: "features"})
	o := featureOptions(cfg)
	o.Dialect = features.Postgres
	o.Progress = func(done, total int) { prog.update(pipeline.Progress{Step: "features", Done: done, Total: total}) }
	tab, err := features.ComputeOn(ctx, p, o)
	if err != nil {
		return 0, 0, nil, err
	}
	where.rows = p.RowsRead + int64(len(tab.UserIDs))
	*warnings = tab.Warnings
	if err := writeTable(ctx, tab, out.Temp(), opts.Out); err != nil {
		return 0, 0, nil, err
	}
	n, d = tab.X.Dims()
	return n, d, written, nil
}

// writeTable writes a feature table to tmp as CSV, or as Parquet (by the
// extension of path, the file it becomes) through an embedded DuckDB
// that reads the CSV with every feature a DOUBLE. Go writes each double
// in the fewest digits that read back as the same bits.
func writeTable(ctx context.Context, tab *features.Table, tmp, path string) error {
	csvPath := tmp
	parquet := !strings.EqualFold(filepath.Ext(path), ".csv")
	if parquet {
		csvPath = tmp + ".csv"
		defer os.Remove(csvPath)
	}
	f, err := os.Create(csvPath)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	names := append([]string{"user_id"}, tab.Names()...)
	for i, nm := range names {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(csvField(nm))
	}
	w.WriteByte('\n')
	buf := make([]byte, 0, 32)
	for i, u := range tab.UserIDs {
		w.WriteString(csvField(u))
		for _, v := range tab.X.RawRowView(i) {
			w.WriteByte(',')
			w.Write(strconv.AppendFloat(buf[:0], v, 'g', -1, 64))
		}
		w.WriteByte('\n')
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || !parquet {
		if err != nil {
			os.Remove(csvPath)
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	db, err := sql.Open(DriverName, "")
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	cols := []string{"'user_id': 'VARCHAR'"}
	for _, nm := range tab.Names() {
		cols = append(cols, sqlquote.String(nm)+": 'DOUBLE'")
	}
	q := fmt.Sprintf("COPY (SELECT * FROM read_csv(%s, header = true, columns = {%s})) TO %s (FORMAT parquet, ROW_GROUP_SIZE 32768)",
		sqlquote.String(csvPath), strings.Join(cols, ", "), sqlquote.String(tmp))
	if _, err := db.ExecContext(ctx, q); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// csvField quotes a CSV field when it needs it.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\n\r") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
