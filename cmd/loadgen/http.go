package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
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
	token := fs.String("token", "", "bearer token for POST")
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
	tr := &http.Transport{MaxIdleConns: *conc, MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
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
	for w := range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			local := make([]time.Duration, 0, 1<<16)
			for !stop.Load() {
				var req *http.Request
				if *endpoint == "users" {
					req, _ = http.NewRequestWithContext(ctx, "GET", *base+"/api/users/"+userID(rng.IntN(*users)), nil)
				} else {
					req, _ = http.NewRequestWithContext(ctx, "POST", *base+"/api/score", bytes.NewReader(bodies[rng.IntN(len(bodies))]))
					req.Header.Set("Content-Type", "application/json")
					if *token != "" {
						req.Header.Set("Authorization", "Bearer "+*token)
					}
				}
				t := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
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
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
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
