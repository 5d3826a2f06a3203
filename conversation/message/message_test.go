package message

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Every part T takes shows in the text, in order and with its format: a
// part left out would lose words from what a person reads.
func TestTKeepsEveryPart(t *testing.T) {
	got := T("Goal ", 2, " of ", 3, ": ", Bold("lead"), Text(nil), " a review with ", Mention("U1"),
		Text{{Text: " and "}, Code("notes")}, "")
	if want := "Goal 2 of 3: lead a review with @U1 and notes"; got.String() != want {
		t.Fatalf("T = %q, want %q", got.String(), want)
	}
	kinds := []SpanKind{Plain, Plain, Plain, Plain, Plain, Strong, Plain, UserMention, Plain, Monospace}
	if len(got) != len(kinds) {
		t.Fatalf("T made %d spans, want %d: %#v", len(got), len(kinds), got)
	}
	for i, k := range kinds {
		if got[i].Kind != k {
			t.Errorf("span %d (%q) is kind %d, want %d", i, got[i].Text, got[i].Kind, k)
		}
	}
	if T(-7).String() != "-7" {
		t.Errorf("T(-7) = %q", T(-7).String())
	}
}

// A part of any other type is a mistake in the calling code: T says so
// loudly instead of dropping it.
func TestTRefusesOtherTypes(t *testing.T) {
	type status string
	for _, p := range []any{status("active"), time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.Hour, 2.5, int64(3),
		errors.New("boom"), []string{"a"}, &Span{Text: "x"}, []Span{{Text: "x"}}, nil} {
		t.Run(fmt.Sprintf("%T", p), func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if want := fmt.Sprintf("message.T: part 1 is a %T", p); !strings.HasPrefix(msg, want) {
					t.Fatalf("T(\"x\", %#v) panicked with %v, want a panic starting %q", p, r, want)
				}
			}()
			T("x", p)
		})
	}
}
