package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/persona-seg/persona/pipeline"
)

// progress renders the progress of a command's steps on stderr.
//
// On a terminal it keeps one line redrawn in place: the time since the
// command started, the step, and for a step that reports Done/Total a bar,
// the count, the percentage and an ETA; a ticker redraws it so the clock
// moves during long steps. Each finished step leaves a line with its
// duration. Elsewhere (a log file, CI) it writes plain lines: one when a
// step starts and one when it ends, with its duration.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	off     bool
	now     func() time.Time
	start   time.Time // of the command
	cur     pipeline.Progress
	stepT   time.Time // when the current step started
	inStep  bool
	stopped bool
	stop    chan struct{}
	ticker  sync.WaitGroup
}

// progressTick is how often a terminal line is redrawn between updates.
const progressTick = 250 * time.Millisecond

// newProgress returns the renderer for ios's stderr, silent when quiet.
func newProgress(ios *IOStreams, quiet bool) *progress {
	p := newProgressClock(ios.ErrOut, ios.ErrTTY, quiet, time.Now)
	if p.tty && !p.off {
		p.stop = make(chan struct{})
		p.ticker.Add(1)
		go p.tick()
	}
	return p
}

// newProgressClock returns a renderer that reads the time from now and
// redraws only when called (tests drive it with a fake clock).
func newProgressClock(w io.Writer, tty, quiet bool, now func() time.Time) *progress {
	return &progress{w: w, tty: tty, off: quiet, now: now, start: now()}
}

// newFileProgress returns the renderer for a command whose work grows with
// the input file: it is silent when quiet or when the file is smaller than
// minBytes, so small runs print nothing on stderr.
func newFileProgress(ios *IOStreams, quiet bool, path string, minBytes int64) *progress {
	if !quiet {
		fi, err := os.Stat(path)
		quiet = err != nil || fi.Size() < minBytes
	}
	return newProgress(ios, quiet)
}

// largeInput is the input size (bytes) from which the cluster commands and
// metrics show progress: about a second of work.
const largeInput = 16 << 20

func (p *progress) tick() {
	defer p.ticker.Done()
	t := time.NewTicker(progressTick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.inStep {
				p.draw()
			}
			p.mu.Unlock()
		}
	}
}

// update records u: a new step ends the previous one.
func (p *progress) update(u pipeline.Progress) {
	if p.off {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	if !p.inStep || u.Step != p.cur.Step {
		p.finish(nil)
		p.inStep, p.stepT = true, p.now()
		p.cur = u
		if !p.tty {
			fmt.Fprintf(p.w, "%s %s ...\n", p.clock(), u.Step)
			return
		}
	}
	p.cur = u
	if p.tty {
		p.draw()
	}
}

// finish ends the current step with a line giving its duration, or saying
// that it failed when err is not nil.
func (p *progress) finish(err error) {
	if !p.inStep {
		return
	}
	p.inStep = false
	how := "done in"
	if err != nil {
		how = "failed after"
	}
	line := fmt.Sprintf("%s %s: %s %s", p.clock(), p.cur.Step, how, fmtDuration(p.now().Sub(p.stepT)))
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s\n", line)
		return
	}
	fmt.Fprintln(p.w, line)
}

// draw redraws the terminal line of the current step.
func (p *progress) draw() {
	line := p.clock() + " " + p.cur.Step
	if u := p.cur; u.Total > 0 {
		done := min(max(u.Done, 0), u.Total)
		frac := float64(done) / float64(u.Total)
		eta := "ETA --"
		if done > 0 {
			el := p.now().Sub(p.stepT)
			eta = "ETA " + fmtDuration(time.Duration(float64(el)*float64(u.Total-done)/float64(done)))
		}
		line += fmt.Sprintf(" %s %d/%d %3.0f%% %s", bar(frac, 24), done, u.Total, 100*frac, eta)
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// done ends the current step, as failed when err is not nil (the error
// itself is printed by Main), and stops the redraws; later calls do
// nothing.
func (p *progress) done(err error) {
	if p.off {
		return
	}
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.finish(err)
	p.stopped = true
	p.mu.Unlock()
	if p.stop != nil {
		close(p.stop)
		p.ticker.Wait()
	}
}

// clock is the time since the command started, as "[  12.3s]".
func (p *progress) clock() string {
	return fmt.Sprintf("[%6.1fs]", p.now().Sub(p.start).Seconds())
}

// bar draws frac (0..1) as a bar of width cells: [=====>    ].
func bar(frac float64, width int) string {
	n := int(frac * float64(width))
	var b strings.Builder
	b.WriteByte('[')
	for i := range width {
		switch {
		case i < n:
			b.WriteByte('=')
		case i == n && n < width:
			b.WriteByte('>')
		default:
			b.WriteByte(' ')
		}
	}
	b.WriteByte(']')
	return b.String()
}

// fmtDuration prints d as 0.4s, 12s or 3m05s.
func fmtDuration(d time.Duration) string {
	switch s := d.Seconds(); {
	case s < 10:
		return fmt.Sprintf("%.1fs", s)
	case s < 60:
		return fmt.Sprintf("%.0fs", s)
	default:
		m := int(d / time.Minute)
		return fmt.Sprintf("%dm%02ds", m, int((d-time.Duration(m)*time.Minute)/time.Second))
	}
}
