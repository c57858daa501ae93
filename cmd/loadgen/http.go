package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func httpMain(ctx context.Context, args []string) error {
	fs := newFlags("http")
	base := fs.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	endpoint := fs.String("endpoint", "users", "users (GET /api/users/{id}), score (POST /api/score with feature vectors) or records (POST /api/score with a user's own raw rows, see -data)")
	conc := fs.Int("c", 64, "concurrent connections")
	dur := fs.Duration("d", 20*time.Second, "duration of the measurement (unless -n)")
	n := fs.Int("n", 0, "measure this many requests instead of a duration (0: -d)")
	warm := fs.Duration("warmup", 2*time.Second, "warm-up before measuring")
	users := fs.Int("users", 1_000_000, "users in the store (ids U0000000...)")
	features := fs.Int("features", 60, "features in the store (for score bodies)")
	token := fs.String("token", "", "bearer token, sent with every request (persona serve --token)")
	data := fs.String("data", "", "records: the folder of the run's source data (persona demo's OUT/data: users.csv, events.csv, transactions.csv, social.csv)")
	segments := fs.String("segments", "", "records: the run's segments.csv, to check each answer (default: segments.csv beside -data)")
	distinct := fs.Int("distinct", 1000, "records: how many users' rows to send, picked at random")
	pid := fs.Int("pid", 0, "the server's process id, to report the CPU it used (Linux /proc)")
	fs.Parse(args)
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); (ip == nil || !ip.IsLoopback()) && u.Hostname() != "localhost" {
		return fmt.Errorf("-url must be on loopback, got %s", u.Host)
	}
	if *n < 0 {
		return fmt.Errorf("-n must be >= 0, got %d", *n)
	}
	auth := ""
	if *token != "" {
		auth = "Authorization: Bearer " + *token + "\r\n"
	}
	// next builds request k (a random one of the kind, k counting from 0)
	// into req; check, when set, checks the answer's body.
	var (
		next  func(req []byte, rng *rand.Rand, k int64) ([]byte, func([]byte) error)
		check bool
	)
	switch *endpoint {
	case "users":
		next = func(req []byte, rng *rand.Rand, _ int64) ([]byte, func([]byte) error) {
			return fmt.Appendf(req, "GET /api/users/%s HTTP/1.1\r\nHost: %s\r\n%s\r\n", userID(rng.IntN(*users)), u.Host, auth), nil
		}
	case "score":
		bodies := scoreBodies(*features, 256)
		next = func(req []byte, rng *rand.Rand, _ int64) ([]byte, func([]byte) error) {
			return appendPost(req, u.Host, auth, bodies[rng.IntN(len(bodies))]), nil
		}
	case "records":
		if *data == "" {
			return fmt.Errorf("-endpoint records needs -data: the folder of the run's source data (persona demo's OUT/data)")
		}
		seg := *segments
		if seg == "" {
			seg = filepath.Join(filepath.Dir(filepath.Clean(*data)), "segments.csv")
		}
		t := time.Now()
		rqs, err := recordsBodies(*data, seg, *distinct, 1)
		if err != nil {
			return err
		}
		size := 0
		for _, rq := range rqs {
			size += len(rq.body)
		}
		fmt.Printf("records: %d users' own rows from %s, %d bytes a body on average, read in %.1fs\n", len(rqs), *data, size/len(rqs), time.Since(t).Seconds())
		check = true
		next = func(req []byte, rng *rand.Rand, k int64) ([]byte, func([]byte) error) {
			rq := &rqs[rng.IntN(len(rqs))]
			if k >= 0 {
				rq = &rqs[k%int64(len(rqs))]
			}
			return appendPost(req, u.Host, auth, rq.body), func(b []byte) error { return checkRecords(rq, b) }
		}
	default:
		return fmt.Errorf("-endpoint must be users, score or records, got %q", *endpoint)
	}
	var (
		measuring atomic.Bool
		stop      atomic.Bool
		counter   atomic.Int64 // requests handed out while measuring, with -n
		failures  atomic.Int64
		firstErr  atomic.Value
		mu        sync.Mutex
		lat       []time.Duration
		wg        sync.WaitGroup
		done      = make(chan struct{})
		doneOnce  sync.Once
	)
	for w := range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			local := make([]time.Duration, 0, 1<<16)
			defer func() {
				mu.Lock()
				lat = append(lat, local...)
				mu.Unlock()
			}()
			c := &conn{addr: u.Host}
			defer c.close()
			req := make([]byte, 0, 4096)
			for !stop.Load() {
				k := int64(-1)
				m := measuring.Load()
				if m && *n > 0 {
					if k = counter.Add(1) - 1; k >= int64(*n) {
						doneOnce.Do(func() { close(done) })
						return
					}
				}
				var chk func([]byte) error
				req, chk = next(req[:0], rng, k)
				t := time.Now()
				status, body, err := c.do(req, check)
				if err == nil && status != 200 {
					err = fmt.Errorf("status %d: %s", status, bytes.TrimSpace(body))
				}
				d := time.Since(t)
				if err == nil && chk != nil {
					err = chk(body)
				}
				if !m {
					continue
				}
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				local = append(local, d)
			}
		}()
	}
	time.Sleep(*warm)
	cpu0, srv0 := cpuSeconds(0), cpuSeconds(*pid)
	measuring.Store(true)
	t0 := time.Now()
	if *n > 0 {
		<-done
		wg.Wait()
	} else {
		time.Sleep(*dur)
		measuring.Store(false)
	}
	elapsed := time.Since(t0)
	cpu1, srv1 := cpuSeconds(0), cpuSeconds(*pid)
	stop.Store(true)
	wg.Wait()
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("endpoint=%s c=%d duration=%.1fs requests=%d failures=%d rate=%.0f req/s p50=%s p90=%s p99=%s p99.9=%s max=%s client_cores=%.2f",
		*endpoint, *conc, elapsed.Seconds(), len(lat), failures.Load(), float64(len(lat))/elapsed.Seconds(),
		q(0.5).Round(time.Microsecond), q(0.9).Round(time.Microsecond), q(0.99).Round(time.Microsecond), q(0.999).Round(time.Microsecond), q(1).Round(time.Microsecond),
		(cpu1-cpu0)/elapsed.Seconds())
	if *pid > 0 && srv0 >= 0 && srv1 >= 0 {
		fmt.Printf(" server_cores=%.2f", (srv1-srv0)/elapsed.Seconds())
	}
	fmt.Println()
	if f := failures.Load(); f > 0 {
		return fmt.Errorf("%d requests failed, the first: %v", f, firstErr.Load())
	}
	return nil
}

// appendPost appends a POST /api/score request with body b.
func appendPost(req []byte, host, auth string, b []byte) []byte {
	req = fmt.Appendf(req, "POST /api/score HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n", host, auth, len(b))
	return append(req, b...)
}

// scoreBodies makes n request bodies with random feature values.
func scoreBodies(d, n int) [][]byte {
	rng := rand.New(rand.NewPCG(5, 5))
	names := featureNames(d)
	out := make([][]byte, n)
	for i := range out {
		f := map[string]float64{}
		for _, name := range names {
			f[name] = rng.Float64() * 10
		}
		out[i], _ = json.Marshal(map[string]any{"features": f})
	}
	return out
}

// conn is a minimal HTTP/1.1 keep-alive client: one request at a time, a
// response with Content-Length, reconnecting when the server closes. It
// costs far less CPU than net/http's client, so that the load generator
// leaves the shared cores to the server.
type conn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
	buf  []byte
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
	}
}

// do sends req and returns the answer's status, and its body when keep
// is set (valid until the next call).
func (c *conn) do(req []byte, keep bool) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		if c.c == nil {
			nc, err := net.Dial("tcp", c.addr)
			if err != nil {
				return 0, nil, err
			}
			c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
		}
		status, body, err := c.roundTrip(req, keep)
		if err == nil {
			return status, body, nil
		}
		c.c.Close()
		c.c = nil
		if attempt > 0 {
			return 0, nil, err
		}
	}
}

func (c *conn) roundTrip(req []byte, keep bool) (int, []byte, error) {
	if _, err := c.c.Write(req); err != nil {
		return 0, nil, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	length, closing := -1, false
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		if len(h) <= 2 {
			break
		}
		if k := bytes.IndexByte(h, ':'); k > 0 {
			name := bytes.TrimSpace(h[:k])
			val := bytes.TrimSpace(h[k+1:])
			switch {
			case bytes.EqualFold(name, []byte("content-length")):
				length, _ = strconv.Atoi(string(val))
			case bytes.EqualFold(name, []byte("connection")):
				closing = bytes.EqualFold(val, []byte("close"))
			}
		}
	}
	if length < 0 {
		return 0, nil, fmt.Errorf("response without Content-Length")
	}
	var body []byte
	if keep || status != 200 {
		if cap(c.buf) < length {
			c.buf = make([]byte, length)
		}
		body = c.buf[:length]
		if _, err := io.ReadFull(c.r, body); err != nil {
			return 0, nil, err
		}
	} else if _, err := c.r.Discard(length); err != nil {
		return 0, nil, err
	}
	if closing {
		c.c.Close()
		c.c = nil
	}
	return status, body, nil
}
