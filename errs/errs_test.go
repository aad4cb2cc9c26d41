package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tailor-c2b/tailor/errs"
)

func TestCodeAndMessage(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantCode    string
		wantMessage string
	}{
		{"nil", nil, "", ""},
		{"direct", errs.Errorf(errs.NotFound, "Model %q not found.", "phone"), errs.NotFound, `Model "phone" not found.`},
		{"wrapped", fmt.Errorf("create model: %w", errs.Errorf(errs.Conflict, "Model exists.")), errs.Conflict, "Model exists."},
		{"wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", errs.Errorf(errs.Invalid, "Bad name."))), errs.Invalid, "Bad name."},
		{"joined", errors.Join(errors.New("other"), errs.Errorf(errs.Forbidden, "No.")), errs.Forbidden, "No."},
		{"unknown", errors.New("pq: password authentication failed for user tailor"), errs.Internal, "Internal error."},
		{"wrapped unknown", fmt.Errorf("open: %w", errors.New("secret path /etc/x")), errs.Internal, "Internal error."},
		{"explicit internal", errs.Errorf(errs.Internal, "Try again."), errs.Internal, "Try again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errs.Code(tt.err); got != tt.wantCode {
				t.Errorf("Code = %q, want %q", got, tt.wantCode)
			}
			if got := errs.Message(tt.err); got != tt.wantMessage {
				t.Errorf("Message = %q, want %q", got, tt.wantMessage)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	got := errs.Errorf(errs.Unavailable, "Database is down (%d tries).", 3).Error()
	want := "unavailable: Database is down (3 tries)."
	if got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
