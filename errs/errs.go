// Package errs is Tailor's error vocabulary: an error carries a code that says
// what kind of failure it is and a message that is safe to show a user.
//
// Adapters (HTTP, CLI) map codes to their own terms in one place each; storage
// and domain code return *Error for failures a user can act on and wrap
// everything else with context, which Code reports as Internal.
package errs

import (
	"errors"
	"fmt"
)

// Error codes.
const (
	Invalid      = "invalid"      // the request is malformed or breaks a rule
	NotFound     = "not_found"    // the thing asked for does not exist
	Conflict     = "conflict"     // the request clashes with the current state, e.g. a duplicate
	Unauthorized = "unauthorized" // the caller is not authenticated
	Forbidden    = "forbidden"    // the caller may not do this
	Unavailable  = "unavailable"  // a dependency is down or overloaded; retrying later may work
	TooMany      = "too_many"     // the caller sent too many requests too quickly; retry after a while
	Internal     = "internal"     // a bug or an unexpected failure; details go to the log only
)

// Error is an error with a code and a message safe to show a user.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a message formatted as by fmt.Sprintf.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Code returns the code of the first *Error in err's chain, Internal for any
// other non-nil error, and "" for nil.
func Code(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return Internal
}

// Message returns the message of the first *Error in err's chain, "Internal
// error." for any other non-nil error (whose text may hold details a user must
// not see), and "" for nil.
func Message(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Internal error."
}
