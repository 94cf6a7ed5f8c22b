package server

import (
	"errors"
	"net/http"
)

// Error codes of the HTTP edge. Every error response carries one, and
// codeStatus maps each to exactly one HTTP status.
const (
	ENOTFOUND     = "not_found"
	EMETHOD       = "method_not_allowed"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EMISDIRECTED  = "misdirected"
	ERATELIMIT    = "rate_limited"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

var codeStatus = map[string]int{
	ENOTFOUND:     http.StatusNotFound,
	EMETHOD:       http.StatusMethodNotAllowed,
	EUNAUTHORIZED: http.StatusUnauthorized,
	EFORBIDDEN:    http.StatusForbidden,
	EMISDIRECTED:  http.StatusMisdirectedRequest,
	ERATELIMIT:    http.StatusTooManyRequests,
	EUNAVAILABLE:  http.StatusServiceUnavailable,
	EINTERNAL:     http.StatusInternalServerError,
}

// Error is an error meant for the client: Message is safe to show. Any other
// error reaching the edge is internal; it is logged and the client sees only
// "internal error".
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, msg string) *Error { return &Error{Code: code, Message: msg} }

// errorCode returns the code of err, EINTERNAL for anything not an *Error.
func errorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// errorMessage returns the safe message of err.
func errorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// errorStatus returns the HTTP status for a code, 500 for an unknown one.
func errorStatus(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}
