// Package webhook tells another system that a run was committed: it POSTs
// a JSON summary of the run (its segments, and how users moved since the
// run before it) signed with HMAC-SHA256 of a shared secret.
//
//	s := webhook.Summarize(cur, prev)
//	err := webhook.Post(ctx, "https://hooks.example.com/persona", s, webhook.Options{Secret: secret})
//
// # Delivery
//
// One POST with Content-Type: application/json and the headers
//
//	X-Persona-Event: run.committed
//	X-Persona-Delivery: the run id (the same on every retry: deduplicate on it)
//	X-Persona-Signature: sha256=<hex of HMAC-SHA256(secret, body)>   (when a secret is set)
//
// The signature covers the body's exact bytes: a receiver computes the
// HMAC of the raw body it read with the same secret and compares it in
// constant time (Verify does). The body's sent_at lets it refuse old
// deliveries replayed. Any 2xx is delivered; a network error, 408, 429 or
// 5xx is retried (Options.Retries times, waiting 1 s, 2 s, 4 s, ...), any
// other status is not.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/persona-seg/persona"
)

// Event is the X-Persona-Event of a committed run.
const Event = "run.committed"

// Summary is the body of a delivery.
type Summary struct {
	Event     string    `json:"event"`
	RunID     string    `json:"run_id"`
	CreatedAt time.Time `json:"created_at"`
	Algorithm string    `json:"algorithm"`
	Users     int       `json:"users"`
	Segments  []Segment `json:"segments"`
	// Previous compares the run with the committed run before it; nil
	// for the first run.
	Previous *Previous `json:"previous"`
	// SentAt is set by Post.
	SentAt time.Time `json:"sent_at"`
}

// Segment is one segment of the run.
type Segment struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Users int     `json:"users"`
	Share float64 `json:"share"`
	// PreviousUsers is the segment's size in the previous run (0 when it
	// had no segment of that id); nil without a previous run.
	PreviousUsers *int `json:"previous_users,omitempty"`
}

// Previous says how the users of the run before moved.
type Previous struct {
	RunID string `json:"run_id"`
	Users int    `json:"users"`
	// Stayed and Moved count the users of both runs in the same and in
	// another segment; New the users only in this run, Gone those only in
	// the previous one.
	Stayed int `json:"stayed"`
	Moved  int `json:"moved"`
	New    int `json:"new"`
	Gone   int `json:"gone"`
	// Moves are the users who changed segment, by segment pair, most
	// first.
	Moves []Move `json:"moves"`
}

// Move is how many users went from one segment to another.
type Move struct {
	From  int `json:"from"`
	To    int `json:"to"`
	Users int `json:"users"`
}

// Summarize describes run cur and, when prev is not nil, how its users
// moved since run prev. Neither is changed.
func Summarize(cur, prev *persona.Results) *Summary {
	s := &Summary{Event: Event, RunID: cur.Run.ID, CreatedAt: cur.Run.CreatedAt.UTC(), Algorithm: cur.Run.Algorithm, Users: len(cur.UserIDs)}
	if s.Algorithm == "" && cur.Model != nil {
		s.Algorithm = string(cur.Model.Algorithm)
	}
	sizes := map[int]int{}
	for _, l := range cur.Segments {
		sizes[l]++
	}
	for _, seg := range cur.Profiles.Segments {
		share := 0.0
		if len(cur.UserIDs) > 0 {
			share = float64(sizes[seg.ID]) / float64(len(cur.UserIDs))
		}
		s.Segments = append(s.Segments, Segment{ID: seg.ID, Name: seg.Name, Users: sizes[seg.ID], Share: share})
	}
	if prev == nil {
		return s
	}
	p := &Previous{RunID: prev.Run.ID, Users: len(prev.UserIDs)}
	before := map[int]int{}
	for _, l := range prev.Segments {
		before[l]++
	}
	for i := range s.Segments {
		n := before[s.Segments[i].ID]
		s.Segments[i].PreviousUsers = &n
	}
	moves := map[[2]int]int{}
	both := 0
	pair(cur, prev, func(i, j int) {
		both++
		from, to := prev.Segments[j], cur.Segments[i]
		if from == to {
			p.Stayed++
			return
		}
		p.Moved++
		moves[[2]int{from, to}]++
	})
	p.New, p.Gone = len(cur.UserIDs)-both, len(prev.UserIDs)-both
	p.Moves = []Move{}
	for k, n := range moves {
		p.Moves = append(p.Moves, Move{k[0], k[1], n})
	}
	sort.Slice(p.Moves, func(a, b int) bool {
		x, y := p.Moves[a], p.Moves[b]
		if x.Users != y.Users {
			return x.Users > y.Users
		}
		if x.From != y.From {
			return x.From < y.From
		}
		return x.To < y.To
	})
	s.Previous = p
	return s
}

// pair calls f(i, j) for every user id that is cur.UserIDs[i] and
// prev.UserIDs[j]: by merging when both are sorted (as a store loads
// them), else through a map.
func pair(cur, prev *persona.Results, f func(i, j int)) {
	a, b := cur.UserIDs, prev.UserIDs
	if slices.IsSorted(a) && slices.IsSorted(b) {
		for i, j := 0, 0; i < len(a) && j < len(b); {
			switch c := strings.Compare(a[i], b[j]); {
			case c < 0:
				i++
			case c > 0:
				j++
			default:
				f(i, j)
				i, j = i+1, j+1
			}
		}
		return
	}
	at := make(map[string]int, len(b))
	for j, u := range b {
		if _, dup := at[u]; !dup {
			at[u] = j
		}
	}
	for i, u := range a {
		if j, ok := at[u]; ok {
			f(i, j)
		}
	}
}

// Sign returns the X-Persona-Signature of body: "sha256=" and the hex
// HMAC-SHA256 of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is body's signature under secret,
// comparing in constant time.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(strings.TrimSpace(header)))
}

// Options configures Post. The zero value means defaults.
type Options struct {
	// Secret signs the body (X-Persona-Signature); empty sends it
	// unsigned.
	Secret string
	// Client sends the requests. Default: an http.Client with a 10 s
	// timeout per attempt.
	Client *http.Client
	// Retries is how many times a failed delivery is tried again.
	// Default 3; negative tries once.
	Retries int
	// Backoff is the wait before the first retry, doubled each time.
	// Default 1 s.
	Backoff time.Duration
	// UserAgent is the User-Agent header. Default "persona".
	UserAgent string
	// Now stamps sent_at. Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Retries == 0 {
		o.Retries = 3
	}
	if o.Backoff == 0 {
		o.Backoff = time.Second
	}
	if o.UserAgent == "" {
		o.UserAgent = "persona"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// CheckURL reports why u cannot be a webhook address: it must be an
// absolute http or https URL with a host.
func CheckURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL", u)
	}
	return nil
}

// StatusError is a delivery the receiver answered with a status other
// than 2xx.
type StatusError struct {
	Code int
	Body string // the start of the response
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("the receiver answered %d", e.Code)
	}
	return fmt.Sprintf("the receiver answered %d: %s", e.Code, e.Body)
}

// Post delivers s to u (see the package documentation), retrying as
// Options says, and returns the last attempt's error.
func Post(ctx context.Context, u string, s *Summary, opts Options) error {
	if err := CheckURL(u); err != nil {
		return err
	}
	o := opts.withDefaults()
	sent := *s
	sent.SentAt = o.Now().UTC()
	body, err := json.Marshal(&sent)
	if err != nil {
		return err
	}
	wait := o.Backoff
	for attempt := 0; ; attempt++ {
		err = post(ctx, o, u, s.RunID, body)
		if err == nil {
			return nil
		}
		retry := true
		if se, ok := err.(*StatusError); ok {
			retry = se.Code == http.StatusRequestTimeout || se.Code == http.StatusTooManyRequests || se.Code >= 500
		}
		if !retry || attempt >= o.Retries {
			if attempt > 0 {
				return fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (then %w)", err, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func post(ctx context.Context, o Options, u, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", o.UserAgent)
	h.Set("X-Persona-Event", Event)
	h.Set("X-Persona-Delivery", id)
	if o.Secret != "" {
		h.Set("X-Persona-Signature", Sign(o.Secret, body))
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(b))}
}
