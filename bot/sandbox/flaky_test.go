package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
)

// failures posts n messages to the learner and returns the HTTP status of
// each answer (200 for the ones served).
func failures(t *testing.T, e *env, n int) []int {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		_, _, err := e.client.PostMessageContext(context.Background(), Learner, slackapi.MsgOptionText(fmt.Sprint("m", i), false))
		var rl *slackapi.RateLimitedError
		var sc slackapi.StatusCodeError
		switch {
		case err == nil:
			out[i] = http.StatusOK
		case errors.As(err, &rl):
			if rl.RetryAfter != 2*time.Second {
				t.Errorf("call %d: Retry-After %s, want 2s", i, rl.RetryAfter)
			}
			out[i] = http.StatusTooManyRequests
		case errors.As(err, &sc):
			out[i] = sc.Code
		default:
			t.Fatalf("call %d: %v", i, err)
		}
	}
	return out
}

func TestFailRandomly(t *testing.T) {
	const n = 1000
	e := newEnv(t)
	e.w.FailRandomly("chat.postMessage", 0.3, 0.05, 1500*time.Millisecond, 42)
	got := failures(t, e, n)
	count := map[int]int{}
	for _, s := range got {
		count[s]++
	}
	// Binomial bounds far (over 5σ) from the expected 300 and 50.
	if c := count[http.StatusTooManyRequests]; c < 230 || c > 370 {
		t.Errorf("%d of %d calls rate limited, want about 30%%", c, n)
	}
	if c := count[http.StatusInternalServerError]; c < 20 || c > 80 {
		t.Errorf("%d of %d calls failed with 500, want about 5%%", c, n)
	}
	if c := count[http.StatusOK]; len(e.w.DM(Learner)) != c {
		t.Errorf("DM holds %d messages, want the %d served", len(e.w.DM(Learner)), c)
	}

	// The log matches what the client saw, with the sandbox's time.
	log := e.w.CallLog("chat.postMessage")
	if len(log) != n {
		t.Fatalf("CallLog has %d calls, want %d", len(log), n)
	}
	for i, c := range log {
		if c.Status != got[i] || c.Channel != Learner || !c.At.Equal(start) {
			t.Fatalf("call %d logged as %+v; want status %d, channel %s, at %s", i, c, got[i], Learner, start)
		}
		if (c.RetryAfter == 2*time.Second) != (c.Status == http.StatusTooManyRequests) {
			t.Fatalf("call %d logged with Retry-After %s and status %d", i, c.RetryAfter, c.Status)
		}
	}

	// The same seed fails the same calls; FailNext goes first; zero
	// probabilities stop the failures.
	again := newEnv(t)
	again.w.FailRandomly("chat.postMessage", 0.3, 0.05, 1500*time.Millisecond, 42)
	if got2 := failures(t, again, n); !slices.Equal(got2, got) {
		t.Error("the same seed failed other calls")
	}
	again.w.FailNext("chat.postMessage", http.StatusServiceUnavailable, 0, 3)
	again.w.FailRandomly("chat.postMessage", 0, 0, 0, 0)
	want := []int{503, 503, 503, 200, 200}
	if got := failures(t, again, len(want)); !slices.Equal(got, want) {
		t.Errorf("after FailNext and turning random failures off: %v, want %v", got, want)
	}
}
