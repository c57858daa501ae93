package server

import (
	"encoding/json"
	"errors"
	"net/http"

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
// errors are logged and their text is not shown.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	msg := err.Error()
	if code == http.StatusInternalServerError {
		s.opts.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error"
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
