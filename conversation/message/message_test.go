package message

import (
	"errors"
	"fmt"
	"reflect"
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

func TestTypedMentions(t *testing.T) {
	tests := []struct {
		in   Text
		want Text
	}{
		{T("Shadow <@UANA>'s reviews"), Text{{Text: "Shadow "}, {Kind: UserMention, Text: "UANA"}, {Text: "'s reviews"}}},
		{T("<@UMO|mo> and <@29:1abc|Wen Li>"), Text{{Kind: UserMention, Text: "UMO"}, {Text: " and "}, {Kind: UserMention, Text: "29:1abc"}}},
		{T(Bold("<@UMO>"), " kept as typed in bold"), Text{{Kind: Strong, Text: "<@UMO>"}, {Text: " kept as typed in bold"}}},
		{T("no mention <@ here, <!channel>, <@U1 2>"), T("no mention <@ here, <!channel>, <@U1 2>")},
		{T("a <@UX|<b>> b"), T("a <@UX|<b>> b")},
		{nil, nil},
	}
	for _, tc := range tests {
		if got := tc.in.TypedMentions(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %#v, want %#v", tc.in.String(), got, tc.want)
		}
	}
	in := T("keep <@UMO> me")
	in.TypedMentions()
	if in[0].Text != "keep <@UMO> me" {
		t.Errorf("TypedMentions changed its receiver: %#v", in)
	}
}

// FuzzTypedMentions: whatever people type, the words around mentions are
// kept in order, and each mention is one that was typed.
func FuzzTypedMentions(f *testing.F) {
	for _, s := range []string{"Shadow <@UANA>'s reviews", "<@UMO|mo><@UWEN>", "<@", "<@U|>", "a<@U1|x>b<@>c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := T(s).TypedMentions()
		var b strings.Builder
		for _, sp := range got {
			switch sp.Kind {
			case Plain:
				b.WriteString(sp.Text)
			case UserMention:
				if !strings.Contains(s, "<@"+sp.Text) {
					t.Fatalf("mention %q was not typed in %q", sp.Text, s)
				}
				b.WriteString("\x00")
			default:
				t.Fatalf("span of kind %d from plain text", sp.Kind)
			}
		}
		plain := typedMention.ReplaceAllString(s, "\x00")
		if b.String() != plain {
			t.Fatalf("text around mentions changed: %q, want %q", b.String(), plain)
		}
	})
}
