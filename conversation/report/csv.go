package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteCSV writes r as CSV (RFC 4180, UTF-8, a header row), one figure a
// row: section, group kind, group name, metric, value. Values that a
// spreadsheet would take for a formula are quoted with a leading
// apostrophe.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"section", "group_kind", "group", "metric", "value"}}
	period := "all"
	if !r.Since.IsZero() {
		period = "since " + r.Since.Format("2006-01-02")
	}
	rows = append(rows, []string{"report", "", "", "period", period},
		[]string{"report", "", "", "made", r.Now.UTC().Format("2006-01-02T15:04Z")})
	if r.Approver != "" {
		rows = append(rows, []string{"report", "approver", r.Approver, "learners of", r.Approver})
	}
	rows = append(rows, figureRows("all", "", "", r.Figures)...)
	for _, g := range r.Groups {
		rows = append(rows, figureRows("group", g.Kind, g.Name, g.Figures)...)
	}
	for _, t := range r.Themes {
		rows = append(rows, []string{"theme", "", "", t.Word, strconv.Itoa(t.Contracts)})
	}
	for _, t := range r.Blockers {
		rows = append(rows, []string{"blocker", "", "", t.Word, strconv.Itoa(t.Contracts)})
	}
	for _, row := range rows {
		for i, v := range row {
			row[i] = cell(v)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func figureRows(section, kind, name string, f Figures) [][]string {
	row := func(metric, value string) []string { return []string{section, kind, name, metric, value} }
	n := strconv.Itoa
	pct := func(r Rate) string { return strconv.FormatFloat(r.Percent(), 'f', 1, 64) }
	return [][]string{
		row("contracts", n(f.Contracts)),
		row("learners", n(f.Learners)),
		row("drafted", n(f.Funnel.Drafted)),
		row("peer_reviewed", n(f.Funnel.PeerReviewed)),
		row("proposed", n(f.Funnel.Proposed)),
		row("signed", n(f.Funnel.Signed)),
		row("submitted", n(f.Funnel.Submitted)),
		row("completed", n(f.Funnel.Completed)),
		row("impact_answered", n(f.Funnel.ImpactAnswered)),
		row("median_days_to_agreement", strconv.FormatFloat(f.Agreement.Hours()/24, 'f', 1, 64)),
		row("median_rounds", strconv.FormatFloat(f.Rounds, 'f', 1, 64)),
		row("checkins_sent", n(f.CheckIns.Total)),
		row("checkins_answered", n(f.CheckIns.Of)),
		row("checkin_response_pct", pct(f.CheckIns)),
		row("submitted_on_time", n(f.OnTime.Of)),
		row("on_time_pct", pct(f.OnTime)),
		row("impact_a_lot", n(f.Impact.ALot)),
		row("impact_somewhat", n(f.Impact.Somewhat)),
		row("impact_not_yet", n(f.Impact.NotYet)),
	}
}

// cell keeps a spreadsheet from running a value as a formula.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "'" + v
		}
	}
	return v
}

// Summary is the report in a few lines of plain text, for a card's
// fallback and the command line.
func Summary(r Report) string {
	var b strings.Builder
	f := r.Figures
	fmt.Fprintf(&b, "%d contracts by %d learners\n", f.Contracts, f.Learners)
	fmt.Fprintf(&b, "drafted %d → peer-reviewed %d → proposed %d → signed %d → submitted %d → completed %d → impact answered %d\n",
		f.Funnel.Drafted, f.Funnel.PeerReviewed, f.Funnel.Proposed, f.Funnel.Signed, f.Funnel.Submitted, f.Funnel.Completed, f.Funnel.ImpactAnswered)
	fmt.Fprintf(&b, "agreement: median %.1f days, %.1f rounds\n", f.Agreement.Hours()/24, f.Rounds)
	fmt.Fprintf(&b, "check-ins answered: %d of %d (%.0f%%)\n", f.CheckIns.Of, f.CheckIns.Total, f.CheckIns.Percent())
	fmt.Fprintf(&b, "handed in on time: %d of %d (%.0f%%)\n", f.OnTime.Of, f.OnTime.Total, f.OnTime.Percent())
	fmt.Fprintf(&b, "impact: a lot %d, somewhat %d, not yet %d\n", f.Impact.ALot, f.Impact.Somewhat, f.Impact.NotYet)
	return b.String()
}
