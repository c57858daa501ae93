package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ceilingMain serves a trivial net/http handler on loopback: every GET
// /api/users/{id} gets the same JSON body of -bytes bytes. Measured with
// loadgen http like persona serve, it is the ceiling of what net/http and
// the loopback sockets allow on this machine, with no work behind them.
func ceilingMain(ctx context.Context, args []string) error {
	fs := newFlags("ceiling")
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on (loopback only)")
	size := fs.Int("bytes", 2048, "body size of each answer, in bytes (GET /api/users/{id} of the 1M store is about 2 KB)")
	token := fs.String("token", "", "when set, the bearer token every request must carry, compared as persona serve does")
	fs.Parse(args)
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		return fmt.Errorf("-addr must be on loopback, got %q", *addr)
	}
	if *size < 2 {
		return fmt.Errorf("-bytes must be >= 2, got %d", *size)
	}
	body := append(append([]byte{'{'}, bytes.Repeat([]byte{' '}, *size-3)...), '}', '\n')
	length := []string{strconv.Itoa(len(body))}
	ctype := []string{"application/json"}
	want := "Bearer " + *token
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		if *token != "" && r.Header.Get("Authorization") != want {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h := w.Header()
		h["Content-Type"] = ctype
		h["Content-Length"] = length
		w.Write(body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Printf("ceiling: a trivial handler on http://%s/api/users/{id}, %d-byte answers\n", ln.Addr(), len(body))
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
