package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/persona-seg/persona/synth"
)

func TestNewCmdEvaluateRecs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    EvaluateRecsOptions
		wantErr string
	}{
		{name: "defaults", args: []string{"--transactions", "t.csv", "--cut", "2011-09-01"}, want: EvaluateRecsOptions{Transactions: "t.csv", Cut: "2011-09-01", K: 10, Format: "canonical", Seed: 1}},
		{name: "all flags", args: []string{"--transactions", "t.csv.gz", "--cut", "2011-09-01", "--k", "5", "--format", "online-retail", "--segments", "s.csv", "--json"},
			want: EvaluateRecsOptions{Transactions: "t.csv.gz", Cut: "2011-09-01", K: 5, Format: "online-retail", Segments: "s.csv", JSON: true, Seed: 1}},
		{name: "config", args: []string{"-c", "p.yaml", "--cut", "2011-09-01", "--segment-by", "rfm", "--seed", "3"},
			want: EvaluateRecsOptions{Config: "p.yaml", Cut: "2011-09-01", K: 10, Format: "canonical", SegmentBy: "rfm", Seed: 3}},
		{name: "no data", args: []string{"--cut", "2011-09-01"}, wantErr: "give --config FILE"},
		{name: "config and transactions", args: []string{"-c", "p", "--transactions", "t", "--cut", "2011-09-01"}, wantErr: "exclude each other"},
		{name: "bad segment-by", args: []string{"-c", "p", "--cut", "2011-09-01", "--segment-by", "age"}, wantErr: "--segment-by must be rfm or run"},
		{name: "run needs config", args: []string{"--transactions", "t", "--cut", "2011-09-01", "--segment-by", "run"}, wantErr: "needs --config"},
		{name: "no cut", args: []string{"--transactions", "t"}, wantErr: "--cut must give"},
		{name: "bad cut", args: []string{"--transactions", "t", "--cut", "September"}, wantErr: "--cut: timestamp"},
		{name: "bad k", args: []string{"--transactions", "t", "--cut", "2011-09-01", "--k", "0"}, wantErr: "--k must be at least 1"},
		{name: "bad format", args: []string{"--transactions", "t", "--cut", "2011-09-01", "--format", "xml"}, wantErr: "--format must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *EvaluateRecsOptions
			cmd := NewCmdEvaluateRecs(f, func(o *EvaluateRecsOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *UsageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &ue) {
					t.Fatalf("err = %v, want a UsageError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(EvaluateRecsOptions{}, "IO", "Ctx")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateRecsRun(t *testing.T) {
	// Before the cut tent and stove go together; after it u2 (who had a
	// tent) buys a stove: co-occurrence hits, so does global popularity
	// (stove is the best seller u2 lacks).
	csv := "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n" +
		"1,tent,1,2011-01-01 10:00:00,50,u1\n1,stove,1,2011-01-01 10:00:00,20,u1\n" +
		"2,tent,1,2011-01-02 10:00:00,50,u3\n2,stove,1,2011-01-02 10:00:00,20,u3\n" +
		"3,tent,1,2011-01-03 10:00:00,50,u2\n" +
		"4,stove,1,2011-03-01 10:00:00,20,u2\n"
	path := filepath.Join(t.TempDir(), "retail.csv.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(csv))
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := testFactory()
	if code := Run(f, []string{"evaluate-recs", "--transactions", path, "--format", "online-retail", "--cut", "2011-02-01", "--k", "1"}); code != ExitOK {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	for _, w := range []string{": 6 purchases, cut 2011-02-01, 1 test users", "HIT RATE@1", "blend               1.0000"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestEvaluateRecsConfig evaluates the demo data through a config, with
// segments from a run of the pipeline as of the cut.
func TestEvaluateRecsConfig(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), dir, synth.Options{Users: 400, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	cfg := "users: {path: users.csv}\nevents: {path: events.csv}\ntransactions: {path: transactions.csv}\nsocial: {path: social.csv}\nas_of: 2024-06-01\n"
	path := filepath.Join(dir, "persona.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := testFactory()
	if code := Run(f, []string{"evaluate-recs", "--config", path, "--cut", "2024-08-01"}); code != ExitOK {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	for _, w := range []string{"segments of a run as of 2024-08-01", "global popularity", "blend"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	// The config's as_of (2024-06-01) is ignored: there are test users
	// after the cut.
	if strings.Contains(out.String(), " 0 test users") {
		t.Errorf("no test users:\n%s", out)
	}
}
