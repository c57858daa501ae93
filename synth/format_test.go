package synth

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

func TestAppendTimestamp(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
	}{
		{"epoch", time.Unix(0, 0)},
		{"before epoch", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"leap day", time.Date(2024, 2, 29, 12, 30, 5, 0, time.UTC)},
		{"century non-leap", time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"year end", time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"far future", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkTimestamp(t, tt.t.Unix())
		})
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range 10000 {
		checkTimestamp(t, r.Int64N(400*year)-200*year)
	}
}

func checkTimestamp(t *testing.T, sec int64) {
	t.Helper()
	tm := time.Unix(sec, 0).UTC()
	if got, want := string(appendTimestamp(nil, sec)), tm.Format(tsLayout); got != want {
		t.Fatalf("appendTimestamp(%d) = %s, want %s", sec, got, want)
	}
	if got, want := string(appendDate(nil, sec)), tm.Format("2006-01-02"); got != want {
		t.Fatalf("appendDate(%d) = %s, want %s", sec, got, want)
	}
	if got, want := weekday(floorDiv(sec, day)), int(tm.Weekday()); got != want {
		t.Fatalf("weekday of %d = %d, want %d", sec, got, want)
	}
}

func FuzzAppendTimestamp(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(-1))
	f.Add(int64(1735689599))
	f.Fuzz(func(t *testing.T, sec int64) {
		// Keep to four-digit years, the only ones Generate writes.
		lo, hi := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
		if sec < lo || sec > hi {
			t.Skip()
		}
		checkTimestamp(t, sec)
	})
}

func TestAppendNumbers(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"pad", string(appendPad(nil, 7, 3)), "007"},
		{"wider than pad", string(appendPad(nil, 12345, 3)), "12345"},
		{"zero", string(appendPad(nil, 0, 1)), "0"},
		{"user id", string(appendID(nil, 'U', 1, 6)), "U000001"},
		{"big user id", string(appendID(nil, 'U', 1234567, 6)), "U1234567"},
		{"price", string(appendFixed2(nil, 1999)), "19.99"},
		{"cents", string(appendFixed2(nil, 5)), "0.05"},
		{"discount", string(appendFixed2(nil, 35)), "0.35"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
	for _, n := range []int64{0, 1, 9, 10, 99, 100, 123456789} {
		if got := string(appendPad(nil, n, 1)); got != strconv.FormatInt(n, 10) {
			t.Errorf("appendPad(%d) = %s", n, got)
		}
	}
}
