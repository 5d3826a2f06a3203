// Package record is the signed record of a learning contract: the terms in
// force, who signed which version and when, how the terms were negotiated,
// the check-ins and what came of the contract. It is a neutral document
// model, built from a contract by Build; /contract show renders it as a
// chat message and the export as a PDF (package bot/recordpdf). Pure: no
// I/O, no clock it was not given.
package record

import (
	"regexp"
	"time"

	"github.com/learnpact/learnpact/conversation/message"
)

// Record is one contract's record, as it stood when it was made.
type Record struct {
	ContractID string
	Title      string
	// Status names where the contract is, for people ("Active").
	Status string
	// Summary is a short line under the title: who the parties are and
	// which version is in force.
	Summary message.Text
	// Made is when the record was made.
	Made     time.Time
	Sections []Section
}

// Section is one part of the record under a heading.
type Section struct {
	Heading string
	Blocks  []Block
}

// Block is one part of a section. The concrete types are Para, Entry and
// Table.
type Block interface{ block() }

// Para is a paragraph.
type Para struct{ Text message.Text }

// Entry is a titled group of labelled values (one version, one criterion's
// assessment, one check-in). Values may be long; each wraps on its own.
type Entry struct {
	Title  message.Text
	Fields []Field
}

// Field is one labelled value.
type Field struct {
	Label string
	Value message.Text
}

// Table is a grid of short cells (signatures). Renderers may shorten a
// cell that does not fit.
type Table struct {
	Columns []string
	Rows    [][]message.Text
}

func (Para) block()  {}
func (Entry) block() {}
func (Table) block() {}

// Section returns the section with the heading, if the record has it.
func (r Record) Section(heading string) (Section, bool) {
	for _, s := range r.Sections {
		if s.Heading == heading {
			return s, true
		}
	}
	return Section{}, false
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// FileName is the name of the record's PDF: learning-contract-ID.pdf, with
// anything but letters, digits, '-' and '_' in the id left out.
func (r Record) FileName() string {
	id := unsafeName.ReplaceAllString(r.ContractID, "")
	if len(id) > 64 {
		id = id[:64]
	}
	if id == "" {
		return "learning-contract.pdf"
	}
	return "learning-contract-" + id + ".pdf"
}
