package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// rawTables are the files of a run's source data (persona demo's
// OUT/data) that POST /api/score takes as records, by their key there.
var rawTables = []string{"users", "events", "transactions", "social"}

// recordsRequest is one POST /api/score body: a user's own rows of the
// source data, and the segment the run gave them.
type recordsRequest struct {
	userID  string
	segment int
	body    []byte
}

// recordsBodies picks n users of segments (segments.csv: user_id,
// segment, ...) at random with seed, and builds for each the body
// {"records": {"users": [...], "events": [...], ...}} from their rows of
// the CSV files in dir (users.csv, events.csv, transactions.csv,
// social.csv; a missing file is skipped), values as the CSV has them,
// empty cells left out.
func recordsBodies(dir, segments string, n int, seed uint64) ([]recordsRequest, error) {
	ids, labels, err := readSegments(segments)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no users", segments)
	}
	rng := rand.New(rand.NewPCG(seed, 17))
	n = min(n, len(ids))
	pick := rng.Perm(len(ids))[:n]
	slices.Sort(pick)
	rows := make(map[string]map[string][]map[string]string, n)
	for _, i := range pick {
		rows[ids[i]] = map[string][]map[string]string{}
	}
	found := 0
	for _, t := range rawTables {
		path := filepath.Join(dir, t+".csv")
		k, err := readRows(path, t, rows)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found += k
	}
	if found == 0 {
		return nil, fmt.Errorf("-data %s: no rows of the chosen users in %s.csv", dir, rawTables)
	}
	out := make([]recordsRequest, 0, n)
	for _, i := range pick {
		b, err := json.Marshal(map[string]any{"records": rows[ids[i]]})
		if err != nil {
			return nil, err
		}
		out = append(out, recordsRequest{userID: ids[i], segment: labels[i], body: b})
	}
	return out, nil
}

// readSegments reads the user ids and segments of a segments.csv.
func readSegments(path string) ([]string, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	ui, si := slices.Index(head, "user_id"), slices.Index(head, "segment")
	if ui < 0 || si < 0 {
		return nil, nil, fmt.Errorf("%s: the header must have user_id and segment, got %v", path, head)
	}
	var ids []string
	var labels []int
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return ids, labels, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		s, err := strconv.Atoi(rec[si])
		if err != nil {
			return nil, nil, fmt.Errorf("%s: row %d, column segment: not an integer: %q", path, line, rec[si])
		}
		ids = append(ids, rec[ui])
		labels = append(labels, s)
	}
}

// readRows adds the rows of the CSV file at path whose user_id is a key
// of by to by[user_id][table], and returns how many it added.
func readRows(path, table string, by map[string]map[string][]map[string]string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	head = slices.Clone(head)
	ui := slices.Index(head, "user_id")
	if ui < 0 {
		return 0, fmt.Errorf("%s: no user_id column in %v", path, head)
	}
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		u, ok := by[rec[ui]]
		if !ok {
			continue
		}
		row := make(map[string]string, len(rec))
		for j, v := range rec {
			if v != "" {
				row[head[j]] = v
			}
		}
		u[table] = append(u[table], row)
		n++
	}
}

// checkRecords checks the answer to rq: the run's own segment for the
// user, marked known (their rows give the run's features).
func checkRecords(rq *recordsRequest, body []byte) error {
	var resp struct {
		Users []struct {
			UserID  string `json:"user_id"`
			Segment struct {
				ID int `json:"id"`
			} `json:"segment"`
			Known bool `json:"known"`
		} `json:"users"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("user %s: response: %w", rq.userID, err)
	}
	if len(resp.Users) != 1 || resp.Users[0].UserID != rq.userID {
		return fmt.Errorf("user %s: response is not that user alone: %s", rq.userID, bytes.TrimSpace(body))
	}
	if u := resp.Users[0]; u.Segment.ID != rq.segment || !u.Known {
		return fmt.Errorf("user %s: got segment %d (known %v), the run gave %d: %s", rq.userID, u.Segment.ID, u.Known, rq.segment, bytes.TrimSpace(body))
	}
	return nil
}
