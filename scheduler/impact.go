package scheduler

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
)

// maxImpactDays bounds an impact check-back: about three years.
const maxImpactDays = 1100

// ParseImpactChecks reads IMPACT_CHECKS: when, after a contract is
// completed, the learner is asked whether it changed how they work, as a
// comma-separated list of days ("30d") or weeks ("4w"); "" is the
// default (contract.DefaultImpactDays), "none" asks nothing. The days come
// back sorted, without repeats. A completed contract keeps the days it was
// completed with, so its check-backs are planned (contract.Plan) and
// scheduled by the Planner like any other item.
func ParseImpactChecks(s string) ([]int, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "":
		return slices.Clone(contract.DefaultImpactDays), nil
	case "none", "off":
		return []int{}, nil
	}
	var days []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		unit := 1
		switch {
		case strings.HasSuffix(part, "d"):
			part = strings.TrimSuffix(part, "d")
		case strings.HasSuffix(part, "w"):
			part, unit = strings.TrimSuffix(part, "w"), 7
		default:
			return nil, fmt.Errorf("%q: give each check-back in days or weeks, like 30d,90d or 4w", part)
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 || n*unit > maxImpactDays {
			return nil, fmt.Errorf("%q: a number of days (or weeks) from 1 to %d days", part, maxImpactDays)
		}
		days = append(days, n*unit)
	}
	slices.Sort(days)
	return slices.Compact(days), nil
}
