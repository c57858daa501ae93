package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/model"
)

// apiError is an error with the HTTP status it maps to.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, msg string) error { return &apiError{status, msg} }

// errNoRun is served until a run is loaded.
var errNoRun = errorf(http.StatusServiceUnavailable, "no run loaded yet")

// status maps an error to its HTTP status: the one place that does.
func status(err error) int {
	var (
		ie *persona.InputError
		ae *apiError
		mb *http.MaxBytesError
		me *model.MissingError
		nf *persona.RunNotFoundError
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &ae):
		return ae.status
	case errors.As(err, &ie):
		return http.StatusUnprocessableEntity
	case errors.As(err, &mb):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &me), errors.As(err, &se), errors.As(err, &te):
		return http.StatusBadRequest
	case errors.As(err, &nf):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// Error writes err as a JSON error object with its status code. Internal
// errors are logged and their text is not shown. A 4xx message is shown
// as publicMessage leaves it: should it carry a path on the server or a
// database's own text (a bug of the code that made it), that part is
// replaced and the whole message is logged.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	msg := err.Error()
	if code >= http.StatusInternalServerError {
		if code == http.StatusInternalServerError {
			s.opts.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			msg = "internal error"
		}
	} else if pub, changed := publicMessage(msg, r); changed {
		s.opts.Logger.Warn("error message redacted", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
		msg = pub
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="persona"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}{msg, code})
}

// maxQuote is the most bytes of a value that an error message quotes.
const maxQuote = 100

// quote returns s as a Go string literal for an error message, clipped to
// maxQuote bytes (at a character boundary) with "..." after the closing
// quote when it was cut, so that no request can make its error long.
func quote(s string) string {
	if len(s) <= maxQuote {
		return strconv.Quote(s)
	}
	n := maxQuote
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "..."
}

// maxMessage is the longest 4xx message shown, in bytes.
const maxMessage = 400

var (
	// serverPath matches an absolute path of two or more names (Unix) or
	// one with a drive letter (Windows), where a word can start.
	serverPath = regexp.MustCompile(`(?:^|[\s"'(\[=,;:])((?:/[^\s/"'()\[\],;:]+){2,}/?|[A-Za-z]:\\[^\s"'()\[\],;:]+)`)
	// driverText matches where a database's own message starts: DuckDB's
	// "Binder Error: ", "Invalid Input Error: " ..., its "LINE 1:" caret
	// lines, and PostgreSQL's "(SQLSTATE 42P01)" as pgx writes it.
	driverText = regexp.MustCompile(`\b[A-Z][A-Za-z]*(?: [A-Za-z]+){0,3} Error: |\bLINE [0-9]+:|\(SQLSTATE [0-9A-Z]{5}\)`)
)

// publicMessage returns msg as a 4xx body may show it, and whether that
// differs from msg: one line of at most maxMessage bytes, with a
// database's own message (from where it starts) replaced by a note that
// the server logged it, and every absolute path replaced by "(a path on
// the server)", unless the request's own path or query holds it (the
// client's own words are no leak).
func publicMessage(msg string, r *http.Request) (string, bool) {
	out := msg
	if loc := driverText.FindStringIndex(out); loc != nil {
		out = strings.TrimRightFunc(out[:loc[0]], func(r rune) bool { return unicode.IsSpace(r) || r == ':' || r == '(' }) +
			": a database error (the server log has its message)"
		out = strings.TrimPrefix(out, ": ")
	}
	own := ""
	if r != nil && r.URL != nil {
		own = r.URL.Path
		if q, err := url.QueryUnescape(r.URL.RawQuery); err == nil {
			own += "\n" + q
		}
	}
	var b strings.Builder
	last := 0
	for _, m := range serverPath.FindAllStringSubmatchIndex(out, -1) {
		p := out[m[2]:m[3]]
		if own != "" && strings.Contains(own, p) {
			continue
		}
		b.WriteString(out[last:m[2]])
		b.WriteString("(a path on the server)")
		last = m[3]
	}
	b.WriteString(out[last:])
	out = b.String()
	if strings.ContainsAny(out, "\r\n\t\v\f") {
		out = strings.Join(strings.Fields(out), " ")
	}
	if len(out) > maxMessage {
		n := maxMessage
		for n > 0 && !utf8.RuneStart(out[n]) {
			n--
		}
		out = out[:n] + "..."
	}
	if !utf8.ValidString(out) {
		out = strings.ToValidUTF8(out, "\uFFFD")
	}
	return out, out != msg
}
