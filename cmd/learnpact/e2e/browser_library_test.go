package e2e

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestBrowserLibrary walks the library in the sandbox page: the learner
// shares a completed contract anonymously from the card at completion; a
// colleague drafting on a similar topic is offered it and opens it; the
// learner stops sharing it from the library list. Screenshots of each
// card.
func TestBrowserLibrary(t *testing.T) {
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	h.complete()
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	consent := p.expect(learner, "May colleagues learn from")
	p.screenshot("library-01-consent", consent)
	p.click(consent, conversation.ActionShareAnonymous)
	p.gone(consent, conversation.ActionShareAnonymous)
	p.wantText(consent, "anonymously: no names")

	h.say(stranger, "new") // the page opens a conversation that has messages
	p.as(stranger)
	p.expect(stranger, "a title")
	p.send("Running better design reviews")
	offer := p.expect(stranger, "Colleagues learned something similar")
	p.wantText(offer, "Running design reviews")
	p.expect(stranger, "first goal")
	p.screenshot("library-02-offered", offer)
	p.click(offer, conversation.ActionOpenExample)
	whole := p.expect(stranger, "Shared anonymously by a colleague")
	p.wantText(whole, "Short checklists get used")
	p.screenshot("library-03-example", whole)

	p.as(learner)
	p.send("library")
	list := p.expect(learner, "Your contracts in the library")
	p.screenshot("library-04-list", list)
	p.click(list, conversation.ActionShareNone)
	p.expect(learner, "Not shared")
	if c := h.contracts(learner)[0]; c.Library != contract.NotShared {
		t.Fatalf("after stopping: %q", c.Library)
	}
	p.as(stranger)
	p.send("examples design reviews")
	none := p.expect(stranger, "No examples about")
	if strings.Contains(h.dump(stranger), "Learned by") {
		t.Error("a named example reached the colleague")
	}
	p.screenshot("library-05-none", none)
}
