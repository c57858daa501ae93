package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func httpMain(ctx context.Context, args []string) error {
	fs := newFlags("http")
	base := fs.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	endpoint := fs.String("endpoint", "users", "users (GET /api/users/{id}) or score (POST /api/score)")
	conc := fs.Int("c", 64, "concurrent connections")
	dur := fs.Duration("d", 20*time.Second, "duration of the measurement")
	warm := fs.Duration("warmup", 2*time.Second, "warm-up before measuring")
	users := fs.Int("users", 1_000_000, "users in the store (ids U0000000...)")
	features := fs.Int("features", 60, "features in the store (for score bodies)")
	token := fs.String("token", "", "bearer token, sent with every request (persona serve --token)")
	fs.Parse(args)
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); (ip == nil || !ip.IsLoopback()) && u.Hostname() != "localhost" {
		return fmt.Errorf("-url must be on loopback, got %s", u.Host)
	}
	if *endpoint != "users" && *endpoint != "score" {
		return fmt.Errorf("-endpoint must be users or score")
	}
	bodies := scoreBodies(*features, 256)
	var (
		measuring atomic.Bool
		stop      atomic.Bool
		failures  atomic.Int64
		firstErr  atomic.Value
		mu        sync.Mutex
		lat       []time.Duration
		wg        sync.WaitGroup
	)
	auth := ""
	if *token != "" {
		auth = "Authorization: Bearer " + *token + "\r\n"
	}
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
				req = req[:0]
				if *endpoint == "users" {
					req = fmt.Appendf(req, "GET /api/users/%s HTTP/1.1\r\nHost: %s\r\n%s\r\n", userID(rng.IntN(*users)), u.Host, auth)
				} else {
					b := bodies[rng.IntN(len(bodies))]
					req = fmt.Appendf(req, "POST /api/score HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n", u.Host, auth, len(b))
					req = append(req, b...)
				}
				t := time.Now()
				status, err := c.do(req)
				if err == nil && status != 200 {
					err = fmt.Errorf("status %d", status)
				}
				d := time.Since(t)
				if !measuring.Load() {
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
	measuring.Store(true)
	t0 := time.Now()
	time.Sleep(*dur)
	measuring.Store(false)
	elapsed := time.Since(t0)
	stop.Store(true)
	wg.Wait()
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("endpoint=%s c=%d duration=%.1fs requests=%d failures=%d rate=%.0f req/s p50=%s p90=%s p99=%s p99.9=%s max=%s\n",
		*endpoint, *conc, elapsed.Seconds(), len(lat), failures.Load(), float64(len(lat))/elapsed.Seconds(),
		q(0.5).Round(time.Microsecond), q(0.9).Round(time.Microsecond), q(0.99).Round(time.Microsecond), q(0.999).Round(time.Microsecond), q(1).Round(time.Microsecond))
	if f := failures.Load(); f > 0 {
		return fmt.Errorf("%d requests failed, the first: %v", f, firstErr.Load())
	}
	return nil
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

func (c *conn) do(req []byte) (int, error) {
	for attempt := 0; ; attempt++ {
		if c.c == nil {
			nc, err := net.Dial("tcp", c.addr)
			if err != nil {
				return 0, err
			}
			c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
		}
		status, err := c.roundTrip(req)
		if err == nil {
			return status, nil
		}
		c.c.Close()
		c.c = nil
		if attempt > 0 {
			return 0, err
		}
	}
}

func (c *conn) roundTrip(req []byte) (int, error) {
	if _, err := c.c.Write(req); err != nil {
		return 0, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	length, closing := -1, false
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) <= 2 {
			break
		}
		if k := bytes.IndexByte(h, ':'); k > 0 {
			name := strings.ToLower(string(h[:k]))
			val := strings.TrimSpace(string(h[k+1:]))
			switch name {
			case "content-length":
				length, _ = strconv.Atoi(val)
			case "connection":
				closing = strings.EqualFold(val, "close")
			}
		}
	}
	if length < 0 {
		return 0, fmt.Errorf("response without Content-Length")
	}
	if _, err := c.r.Discard(length); err != nil {
		return 0, err
	}
	if closing {
		c.c.Close()
		c.c = nil
	}
	return status, nil
}
