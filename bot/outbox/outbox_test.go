package outbox

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for n, base := range map[int]time.Duration{0: time.Second, 1: time.Second, 2: 2 * time.Second, 9: 256 * time.Second, 10: maxBackoff, 100: maxBackoff} {
		for range 20 {
			if d := Backoff(n); d < base || d >= base*5/4 {
				t.Errorf("Backoff(%d) = %s, want %s plus less than a quarter", n, d, base)
			}
		}
	}
}
