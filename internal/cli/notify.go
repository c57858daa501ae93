package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/webhook"
)

// secretEnv names the environment variable holding the webhook secret.
const secretEnv = "PERSONA_WEBHOOK_SECRET"

// notifyHelp is the help of --notify, for run and serve.
const notifyHelp = `--notify URL POSTs a JSON summary of the committed run (run id, segment
sizes, users moved between segments since the previous committed run) to
URL, signed with $PERSONA_WEBHOOK_SECRET: the header
X-Persona-Signature: sha256=<hex HMAC-SHA256 of the body>; X-Persona-Delivery
is the run id. A failed delivery is retried 3 times (1 s, 2 s, 4 s apart),
then reported as a warning: it never fails the run.`

// checkNotify validates --notify.
func checkNotify(u string) error {
	if u == "" {
		return nil
	}
	if err := webhook.CheckURL(u); err != nil {
		return usagef("--notify must be an http:// or https:// URL, got %q", u)
	}
	return nil
}

// notifier delivers the summaries of committed runs to one URL.
type notifier struct {
	url, secret string
	// backoff is the wait before the first retry (default 1 s).
	backoff time.Duration
}

func newNotifier(u string) *notifier {
	if u == "" {
		return nil
	}
	return &notifier{url: u, secret: os.Getenv(secretEnv)}
}

// unsignedWarning is said when --notify has no secret to sign with.
func (n *notifier) unsignedWarning() string {
	if n == nil || n.secret != "" {
		return ""
	}
	return "persona: warning: " + secretEnv + " is not set: the webhook is sent unsigned (no X-Persona-Signature)"
}

// notify summarizes run id of src against the committed run before it and
// delivers the summary.
func (n *notifier) notify(ctx context.Context, src persona.RunReader, id string) error {
	cur, err := src.Load(ctx, id)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return n.notifyLoaded(ctx, src, cur)
}

// notifyLoaded is notify for a run already loaded.
func (n *notifier) notifyLoaded(ctx context.Context, src persona.RunReader, cur *persona.Results) error {
	runs, err := src.List(ctx, persona.RunFilter{})
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	var prev *persona.Results
	for i, r := range runs {
		if r.ID == cur.Run.ID && i+1 < len(runs) {
			if prev, err = src.Load(ctx, runs[i+1].ID); err != nil {
				return fmt.Errorf("webhook: previous run: %w", err)
			}
		}
	}
	s := webhook.Summarize(cur, prev)
	if err := webhook.Post(ctx, n.url, s, webhook.Options{Secret: n.secret, Backoff: n.backoff, UserAgent: "persona/" + Version}); err != nil {
		return fmt.Errorf("webhook %s: %w", n.url, err)
	}
	return nil
}

// notifyRun tells --notify's URL (when set) that run id of the store was
// committed; a failure is a warning on stderr, never the run's.
func notifyRun(ctx context.Context, io *IOStreams, url, storeName, id string) {
	n := newNotifier(url)
	if n == nil {
		return
	}
	if w := n.unsignedWarning(); w != "" {
		fmt.Fprintln(io.ErrOut, w)
	}
	err := func() error {
		st, err := openStore(ctx, storeName)
		if err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
		defer st.Close()
		return n.notify(ctx, st, id)
	}()
	if err != nil {
		fmt.Fprintf(io.ErrOut, "persona: warning: the run is committed, but %v\n", err)
	}
}
