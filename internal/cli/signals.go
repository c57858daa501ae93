package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// InterruptedError reports a command stopped by SIGINT or SIGTERM. Main
// exits with 128 plus the signal's number (130, 143), as shells do.
type InterruptedError struct{ Signal syscall.Signal }

func (e *InterruptedError) Error() string {
	name := "SIGTERM"
	if e.Signal == syscall.SIGINT {
		name = "SIGINT"
	}
	return fmt.Sprintf("interrupted by %s: stopped before committing anything; the output folder keeps its previous results", name)
}

// signalContext returns a context of parent cancelled, with an
// *InterruptedError as its cause, by the first SIGINT or SIGTERM. From then on the signals are
// no longer caught, so a second one ends the process at once (what it
// leaves is cleaned up by the next run into the folder). stop releases
// the signals.
func signalContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			sig, _ := s.(syscall.Signal)
			cancel(&InterruptedError{Signal: sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// interrupted returns the *InterruptedError that cancelled ctx when err
// is (or wraps) ctx's cancellation, else err.
func interrupted(ctx context.Context, err error) error {
	var ie *InterruptedError
	if err != nil && errors.As(context.Cause(ctx), &ie) && errors.Is(err, context.Canceled) {
		return ie
	}
	return err
}
