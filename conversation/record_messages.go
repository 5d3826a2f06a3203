package conversation

import (
	"fmt"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/record"
)

// Messages of the signed record. A record can be long; in a chat it is
// shortened (the latest entries of each section, each value clipped) and
// the PDF has it all.

const (
	// maxRecordBlocks keeps a record message well inside Slack's 50
	// blocks, room left for its buttons.
	maxRecordBlocks = 40
	// maxRecordEntries is how many entries (versions, check-ins, history
	// lines) of a section a chat shows, the latest ones.
	maxRecordEntries = 4
	// maxRecordValue is how much of one value a chat shows.
	maxRecordValue = 300
)

// recordMsg is a contract's record for a chat, with a button to export it
// when it can be.
func recordMsg(r record.Record, canExport bool) message.Message {
	m := recordBody(r)
	if canExport {
		val := ActionValue{ContractID: r.ContractID}.Encode()
		m.Blocks = append(m.Blocks, actions(button("Export as PDF", ActionExportRecord, val, message.Primary)))
	} else {
		m.Blocks = append(m.Blocks, message.Context{Text: txt("It can be exported as a PDF once it has been proposed.")})
	}
	return m
}

// recordCardMsg is the record sent where a PDF cannot be.
func recordCardMsg(r record.Record) message.Message {
	m := recordBody(r)
	m.Blocks = append(blocks{message.Context{Text: txt("I couldn't send a PDF here, so here is the record as a message.")}}, m.Blocks...)
	return m
}

func recordBody(r record.Record) message.Message {
	bs := blocks{
		message.Header{Text: clipString(r.Title, maxHeader)},
		message.Context{Text: clip(txt(bold(r.Status), " · contract ", code(r.ContractID), " · ", r.Summary), maxSection)},
	}
	more := false
	for _, s := range r.Sections {
		sb := recordSection(s)
		if len(bs)+len(sb) > maxRecordBlocks {
			more = true
			break
		}
		bs = append(bs, sb...)
	}
	if more {
		bs = append(bs, message.Context{Text: txt("There's more: export the record as a PDF to see all of it.")})
	}
	return msg("The record of "+clipString(r.Title, 120), bs...)
}

// recordSection renders one section: its heading and its blocks, the
// latest maxRecordEntries of them (a history's latest lines).
func recordSection(s record.Section) blocks {
	head := txt(bold(s.Heading))
	bs := blocks{message.Divider{}}
	var body blocks
	skipped := 0
	items := s.Blocks
	if len(items) > maxRecordEntries {
		skipped = len(items) - maxRecordEntries
		items = items[skipped:]
	}
	for _, b := range items {
		switch b := b.(type) {
		case record.Para:
			body = append(body, section(clip(b.Text, maxRecordValue)))
		case record.Entry:
			fields := b.Fields
			n := 0
			if len(b.Title) == 0 && len(fields) > 2*maxRecordEntries {
				n = len(fields) - 2*maxRecordEntries
				fields = fields[n:]
			}
			var x text
			if len(b.Title) > 0 {
				x = txt(bold(clip(b.Title, maxRecordValue).String()))
			}
			if n > 0 {
				x = appendLine(x, txt(italic(fmt.Sprintf("…%d earlier", n))))
			}
			for _, f := range fields {
				sep := " "
				if strings.Contains(f.Value.String(), "\n") {
					sep = "\n" // a list starts on a line of its own
				}
				x = appendLine(x, txt(bold(f.Label+":"), sep, clip(f.Value, maxRecordValue)))
			}
			body = append(body, section(x))
		case record.Table:
			var x text
			for _, row := range b.Rows {
				line := txt("• ")
				for i, cell := range row {
					if i > 0 {
						line = append(line, txt(" · ")...)
					}
					line = append(line, clip(cell, 80)...)
				}
				x = appendLine(x, line)
			}
			body = append(body, section(x))
		}
	}
	if skipped > 0 {
		head = append(head, txt(fmt.Sprintf(" (the latest %d; %d earlier in the PDF)", len(items), skipped))...)
	}
	bs = append(bs, section(head))
	return append(bs, body...)
}

func appendLine(x, line text) text {
	if len(x) > 0 {
		x = append(x, txt("\n")...)
	}
	return append(x, line...)
}

// exportCommentMsg goes with the PDF.
func exportCommentMsg(r record.Record) message.Message {
	return note("The record of "+clipString(r.Title, 120),
		"📄 Here is the record of ", bold(clipString(r.Title, maxHeader)), " as a PDF: the terms in force, who signed which version and when, and everything since.")
}

// draftExportMsg refuses to export a contract never proposed.
func draftExportMsg(c *contract.Contract) message.Message {
	return note("Nothing signed to export yet",
		"This contract is still a draft that hasn't been proposed, so there's nothing signed to export yet. Type ",
		code("show"), " to see it as it stands, or ", code("send"), " it to your approver first.")
}

// notYoursMsg refuses a record the actor is not a party to, or that does
// not exist: the same answer for both, so ids cannot be probed.
func notYoursMsg(id string, named bool) message.Message {
	if !named {
		return note("No such contract", "That doesn't look like a contract id. Type ", code("show"), " to pick one of your contracts.")
	}
	return note("That contract isn't one of yours",
		"I can't show you contract ", code(clipString(id, 64)), ": only its learner, approver and workplace advocate can see or export it. Type ",
		code("show"), " to pick one of your contracts.")
}

// pickRecordMsg asks which contract's record to show or export.
func pickRecordMsg(cs []*contract.Contract, user string, export bool) message.Message {
	verb, id, label := "see", ActionShowRecord, "Show"
	if export {
		verb, id, label = "export", ActionExportRecord, "Export"
	}
	bs := blocks{section("Which contract's record would you like to " + verb + "?")}
	for i, c := range cs {
		if i == maxListed {
			bs = append(bs, message.Context{Text: txt(fmt.Sprintf("…and %d more: type ", len(cs)-maxListed), code("show ID"), ".")})
			break
		}
		line := txt(titleOf(c.InForce()), "\n", statusLabelFor(c, user), " · you're the ", roleOf(c, user), " · ", code(c.ID))
		s := section(line)
		b := button(label, id, ActionValue{ContractID: c.ID}.Encode(), message.Default)
		s.Accessory = &b
		bs = append(bs, s)
	}
	return msg("Which contract?", bs...)
}
