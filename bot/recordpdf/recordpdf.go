// Package recordpdf renders a contract's record (conversation/record) as a
// PDF, with codeberg.org/go-pdf/fpdf and an embedded DejaVu Sans, so names
// and text in any script DejaVu covers come out as written. The output is
// deterministic: the same record gives the same bytes.
package recordpdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"

	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/record"
)

// DejaVu Sans 2.37 (Bitstream Vera license, see fonts/LICENSE).
var (
	//go:embed fonts/DejaVuSans.ttf
	regularTTF []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	boldTTF []byte
)

// Options tune the rendering.
type Options struct {
	// Name returns a person's name for a platform user id, "" when not
	// known (the id is shown then). Nil shows ids.
	Name func(user string) string
}

// Page layout, in millimetres and points.
const (
	family   = "DejaVu"
	margin   = 18.0
	labelW   = 44.0 // the label column of an entry
	lineH    = 5.0  // a line of body text
	bodySize = 9.5
	maxCell  = 200 // characters of a table cell, before it is fitted to its width
)

// Render makes the PDF of r.
func Render(r record.Record, o Options) ([]byte, error) {
	p := &page{f: fpdf.New("P", "mm", "A4", ""), o: o}
	f := p.f
	f.AddUTF8FontFromBytes(family, "", regularTTF)
	f.AddUTF8FontFromBytes(family, "B", boldTTF)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+4)
	f.SetCreationDate(r.Made)
	f.SetModificationDate(r.Made)
	f.SetCatalogSort(true)
	f.SetTitle(clean(r.Title), true)
	f.SetSubject("Learning contract "+clean(r.ContractID), true)
	f.SetCreator("learnpact", true)
	f.AliasNbPages("")
	f.SetFooterFunc(func() {
		f.SetY(-margin)
		f.SetFont(family, "", 7.5)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(0, 4, fit(f, fmt.Sprintf("Learning contract %s · record made %s · page %d of {nb}",
			clean(r.ContractID), record.Time(r.Made), f.PageNo()), p.width()), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	p.header(r)
	for _, s := range r.Sections {
		p.section(s)
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("recordpdf: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("recordpdf: %w", err)
	}
	return buf.Bytes(), nil
}

type page struct {
	f *fpdf.Fpdf
	o Options
}

// width is the width between the margins.
func (p *page) width() float64 {
	w, _ := p.f.GetPageSize()
	return w - 2*margin
}

// room makes sure h millimetres fit above the page break, starting a new
// page when they do not.
func (p *page) room(h float64) {
	_, ph := p.f.GetPageSize()
	if p.f.GetY()+h > ph-margin-4 {
		p.f.AddPage()
	}
}

func (p *page) header(r record.Record) {
	f := p.f
	f.SetTextColor(90, 90, 90)
	f.SetFont(family, "B", 8.5)
	f.CellFormat(0, 5, "LEARNING CONTRACT · SIGNED RECORD", "", 1, "L", false, 0, "")
	f.SetTextColor(20, 20, 20)
	f.SetFont(family, "B", 17)
	f.MultiCell(0, 8, clean(r.Title), "", "L", false)
	f.Ln(1)
	f.SetFont(family, "", bodySize)
	f.SetTextColor(60, 60, 60)
	f.MultiCell(0, lineH, "Status: "+clean(r.Status)+" · contract "+clean(r.ContractID), "", "L", false)
	f.MultiCell(0, lineH, p.text(r.Summary), "", "L", false)
	f.SetTextColor(20, 20, 20)
	f.Ln(2)
}

func (p *page) section(s record.Section) {
	f := p.f
	p.room(20)
	f.Ln(3)
	f.SetFont(family, "B", 12.5)
	f.SetTextColor(25, 65, 120)
	f.CellFormat(0, 7, clean(s.Heading), "", 1, "L", false, 0, "")
	x, y := f.GetXY()
	f.SetDrawColor(25, 65, 120)
	f.SetLineWidth(0.3)
	f.Line(x, y, x+p.width(), y)
	f.SetTextColor(20, 20, 20)
	f.Ln(2)
	for _, b := range s.Blocks {
		switch b := b.(type) {
		case record.Para:
			f.SetFont(family, "", bodySize)
			f.MultiCell(0, lineH, p.text(b.Text), "", "L", false)
			f.Ln(1.5)
		case record.Entry:
			p.entry(b)
		case record.Table:
			p.table(b)
		}
	}
}

func (p *page) entry(e record.Entry) {
	f := p.f
	if len(e.Title) > 0 {
		p.room(2 * lineH)
		f.SetFont(family, "B", 10.5)
		f.MultiCell(0, lineH+0.5, p.text(e.Title), "", "L", false)
	}
	for _, fl := range e.Fields {
		p.room(lineH)
		f.SetFont(family, "B", 8.5)
		f.SetTextColor(80, 80, 80)
		f.CellFormat(labelW, lineH, fit(f, clean(fl.Label), labelW-2), "", 0, "L", false, 0, "")
		f.SetFont(family, "", bodySize)
		f.SetTextColor(20, 20, 20)
		v := p.text(fl.Value)
		if v == "" {
			v = " "
		}
		f.MultiCell(p.width()-labelW, lineH, v, "", "L", false)
	}
	f.Ln(2)
}

func (p *page) table(t record.Table) {
	f := p.f
	if len(t.Columns) == 0 {
		return
	}
	w := p.width() / float64(len(t.Columns))
	p.room(2 * (lineH + 1))
	f.SetFont(family, "B", 8.5)
	f.SetFillColor(232, 238, 246)
	for _, c := range t.Columns {
		f.CellFormat(w, lineH+1, fit(f, clean(c), w-2), "B", 0, "L", true, 0, "")
	}
	f.Ln(-1)
	f.SetFont(family, "", bodySize)
	for _, row := range t.Rows {
		p.room(lineH + 1)
		for i := range t.Columns {
			cell := ""
			if i < len(row) {
				cell = p.text(row[i])
			}
			f.CellFormat(w, lineH+1, fit(f, cell, w-2), "B", 0, "L", false, 0, "")
		}
		f.Ln(-1)
	}
	f.Ln(2)
}

// text flattens formatted text for the page: mentions, typed ones too,
// become names.
func (p *page) text(x message.Text) string {
	var b strings.Builder
	for _, s := range x.TypedMentions() {
		if s.Kind == message.UserMention {
			b.WriteString(p.name(s.Text))
			continue
		}
		b.WriteString(s.Text)
		if s.Kind == message.Hyperlink && s.URL != "" && s.URL != s.Text {
			b.WriteString(" (" + s.URL + ")")
		}
	}
	return clean(b.String())
}

func (p *page) name(user string) string {
	if p.o.Name != nil {
		if n := strings.TrimSpace(p.o.Name(user)); n != "" {
			return n
		}
	}
	return user
}

// clean keeps what a page can show: line breaks stay, tabs become spaces,
// other control characters go, and invalid UTF-8 and characters beyond the
// Basic Multilingual Plane (emoji, which fpdf's fonts cannot hold) become
// U+FFFD.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', r == '\uFEFF':
			return -1
		case r > 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}

// fit shortens one line of text to w millimetres in the current font,
// ending it with "…".
func fit(f *fpdf.Fpdf, s string, w float64) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if utf8.RuneCountInString(s) > maxCell {
		s = string([]rune(s)[:maxCell])
	}
	if f.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && f.GetStringWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}
