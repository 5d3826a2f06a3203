package scheduler

import (
	"slices"
	"testing"
)

func TestParseImpactChecks(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"", []int{30, 90}}, {"30d,90d", []int{30, 90}}, {" 90d , 4w ,30d,30d", []int{28, 30, 90}}, {"none", []int{}}, {"1d", []int{1}},
	} {
		got, err := ParseImpactChecks(tc.in)
		if err != nil || !slices.Equal(got, tc.want) || got == nil {
			t.Errorf("ParseImpactChecks(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"30", "30d,", "0d", "-3d", "x", "30days", "5000d", "1.5w", ","} {
		if got, err := ParseImpactChecks(bad); err == nil {
			t.Errorf("ParseImpactChecks(%q) = %v, want an error", bad, got)
		}
	}
}

func FuzzParseImpactChecks(f *testing.F) {
	for _, s := range []string{"30d,90d", "4w", "none", "", "0d", "9999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		days, err := ParseImpactChecks(s)
		if err != nil {
			return
		}
		if !slices.IsSorted(days) || len(slices.Compact(slices.Clone(days))) != len(days) {
			t.Fatalf("%q: %v is not sorted and unique", s, days)
		}
		for _, d := range days {
			if d < 1 || d > maxImpactDays {
				t.Fatalf("%q: %d days", s, d)
			}
		}
	})
}
