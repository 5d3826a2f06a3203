package conversation

import (
	"fmt"
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/report"
)

// Reports: /contract report for L&D admins (every contract) and approvers
// (their own learners' contracts). Who may see which is the bot's to say:
// the conversation only asks.

// ReportRequest asks the bot for a report for User: the whole report when
// User is an admin, else the report of the contracts of User's learners,
// else a refusal. Since, when set, keeps the contracts created from then.
type ReportRequest struct {
	User  string
	Since time.Time
}

func (ReportRequest) effect() {}

// reportCommand answers /contract report [since YYYY-MM-DD].
func (t *turn) reportCommand(args string) {
	args = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(args), "since"))
	var since time.Time
	if args != "" {
		d, err := time.Parse("2006-01-02", args)
		if err != nil {
			t.ephemeral(note("I need a date like 2027-01-31", "I need a date like ", code("report since 2027-01-31"), ", or just ", code("report"), " for every contract."))
			return
		}
		since = d
	}
	t.out = append(t.out, ReportRequest{User: t.in.User, Since: since})
}

// ReportCard shows report r; csv names the file sent with it ("" when none
// could be sent).
func ReportCard(r report.Report, csv string) message.Message {
	f := r.Figures
	title := "Learning contracts: report"
	scope := "All contracts"
	if r.Approver != "" {
		title, scope = "Your learners' contracts", "The contracts of the learners you approve"
	}
	if !r.Since.IsZero() {
		scope += " created since " + r.Since.Format("2 January 2006")
	}
	bs := blocks{
		message.Header{Text: title},
		message.Context{Text: txt(fmt.Sprintf("%s · %d contract%s by %d learner%s · made %s", scope, f.Contracts, plural(f.Contracts), f.Learners, plural(f.Learners), r.Now.UTC().Format("2 Jan 2006 15:04 UTC")))},
		section(bold("How far contracts get"), "\n", fmt.Sprintf(
			"drafted %d → shared for review %d → proposed %d → signed %d → handed in %d → completed %d → impact answered %d",
			f.Funnel.Drafted, f.Funnel.PeerReviewed, f.Funnel.Proposed, f.Funnel.Signed, f.Funnel.Submitted, f.Funnel.Completed, f.Funnel.ImpactAnswered)),
		section(bold("Agreement"), "\n", agreementLine(f)),
		section(bold("Check-ins answered"), "\n", rateLine(f.CheckIns, "check-in prompts")),
		section(bold("Handed in on time"), "\n", rateLine(f.OnTime, "contracts handed in")),
		section(bold("Has it changed how they work?"), "\n", fmt.Sprintf("a lot %d · somewhat %d · not yet %d", f.Impact.ALot, f.Impact.Somewhat, f.Impact.NotYet)),
	}
	if len(r.Themes) > 0 {
		bs = append(bs, section(bold("Common topics"), "\n", themeLine(r.Themes)))
	}
	if len(r.Blockers) > 0 {
		bs = append(bs, section(bold("Common blockers"), "\n", themeLine(r.Blockers)))
	}
	foot := fmt.Sprintf("Groups are shown only with at least %d learners; nobody is ranked.", report.MinGroup)
	if r.Approver == "" {
		foot = fmt.Sprintf("Figures by workspace and by approver are in the CSV for groups of %d or more learners (%d now); nobody is ranked.", report.MinGroup, len(r.Groups))
	}
	if csv != "" {
		foot += " The figures are in " + csv + "."
	} else {
		foot += " For the figures as CSV, an admin runs learnpact report."
	}
	bs = append(bs, message.Context{Text: txt(foot)})
	return msg(fmt.Sprintf("%s: %d contract%s", title, f.Contracts, plural(f.Contracts)), bs...)
}

func agreementLine(f report.Figures) string {
	if f.Funnel.Signed == 0 {
		return "no contract signed yet"
	}
	return fmt.Sprintf("median %.1f days from the first proposal to signing, %.1f versions", f.Agreement.Hours()/24, f.Rounds)
}

func rateLine(r report.Rate, of string) string {
	if r.Total == 0 {
		return "none yet"
	}
	return fmt.Sprintf("%d of %d %s (%.0f%%)", r.Of, r.Total, of, r.Percent())
}

func themeLine(ts []report.Theme) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%s (%d)", t.Word, t.Contracts)
	}
	return strings.Join(parts, " · ")
}

// ReportRefusedMsg answers someone who may not see a report.
func ReportRefusedMsg() message.Message {
	return note("Reports are for L&D admins and approvers",
		"Reports are for L&D admins and for approvers (about their own learners). You aren't an approver of any contract yet, and not on the list of admins (", code("LEARNPACT_ADMINS"), ").")
}
