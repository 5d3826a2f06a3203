package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds each wait for the page.
const stepTimeout = 20 * time.Second

// TestBrowserNegotiation drives the sandbox page in headless Chromium through
// a whole negotiation: the learner drafts in the composer, the manager asks
// for changes in the modal, the learner revises, the manager approves the
// diff. Then it checks that typed markup stays text and that nested
// formatting renders.
func TestBrowserNegotiation(t *testing.T) {
	// The harness first: cleanups run last-in first-out, and the browser
	// must go before the server, which waits for the page's event stream.
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	// Every dialog the page opens, in order. Dialogs block the page, so
	// each is accepted.
	dialogs := make(chan string, 16)
	events := chromedp.Events(tab, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			select {
			case dialogs <- ev.Message:
			default:
			}
			_, _ = chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

	// The learner drafts version 1.
	p.draftToApprover("Shadow Ana's reviews; read the Design Review Handbook", "Two teammates use my checklist without help")
	p.send("@mo") // the page turns the handle into a mention
	p.skipNotes(learner)
	summary := p.expect(learner, "Send to my manager")
	p.wantText(summary, "Mo Manager") // the approver, shown by name
	p.screenshot("01-draft-summary", summary)
	p.click(summary, conversation.ActionSend)
	p.expect(learner, "Sent to")

	// The manager asks for changes in the modal.
	p.as(manager)
	card1 := p.expect(manager, "would like you to approve")
	p.screenshot("02-approval-card", card1)
	p.click(card1, conversation.ActionRequestChanges)
	const comment = "Please give yourself 10 weeks."
	field := chromedp.CSS(`[data-testid="modal-input-` + conversation.FieldComments + `"]`)
	p.do("fill in the modal", chromedp.WaitVisible(field), chromedp.SendKeys(field, comment))
	p.screenshot("03-request-changes-modal", "")
	p.do("submit the modal",
		chromedp.Click(chromedp.CSS(`[data-testid="modal-submit"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="modal"]`)))
	p.gone(card1, conversation.ActionApprove) // the decided card lost its buttons

	// The learner revises the deadline and sends version 2.
	p.as(learner)
	p.click(p.expect(learner, comment), conversation.ActionRevise)
	p.expect(learner, "Send to my manager")
	p.send("edit deadline")
	p.expect(learner, "By when?")
	p.send("in 10 weeks")
	p.click(p.expect(learner, "Send to my manager"), conversation.ActionSend)
	p.expect(learner, "Sent to")

	// The manager sees the diff and signs.
	p.as(manager)
	card2 := p.expect(manager, "What changed since version 1")
	p.screenshot("04-diff-card", card2)
	p.click(card2, conversation.ActionApprove)
	p.gone(card2, conversation.ActionApprove)

	p.as(learner)
	active := p.expect(learner, "active")
	p.screenshot("05-active", active)
	if cs := h.contracts(learner); len(cs) != 1 || cs[0].Status != contract.Active || cs[0].Version != 2 {
		t.Fatalf("after the page's flow the learner's contracts are %+v, want one active at version 2", cs)
	}

	// Markup typed in the composer is shown as text, not run.
	const markup = `<script>alert(1)</script> and <img src=x onerror=alert(2)>`
	p.send(markup)
	typed := p.mine(markup)
	p.after[learner] = typed
	p.expect(learner, "") // the bot's answer to it, whatever it is
	if n := p.count(`[data-testid="messages"] script, [data-testid="messages"] img`); n != 0 {
		t.Errorf("typed markup became %d element(s) in the page", n)
	}
	p.wantText(typed, markup)

	// Nested formatting renders, typed and in a bot card, and the page
	// stays responsive.
	p.send("*bold _italic_ bold*")
	nested := p.mine("bold italic bold")
	p.wantElement(nested, "strong > em", "italic")
	const card = "*bold _italic_ bold* then _italic *bold* italic_ and ~struck *bold _both_*~; *bold_italic_* 2*3*4 snake_case_name"
	h.postAsBot(h.ws.DMChannel(learner), card)
	formatted := p.expect(learner, "bold italic bold then")
	p.wantElement(formatted, "strong > em", "italic")
	p.wantElement(formatted, "em > strong", "bold")
	p.wantElement(formatted, "s > strong > em", "both")
	p.wantText(formatted, "2*3*4 snake_case_name")
	p.send("still here?")
	p.mine("still here?")
	p.screenshot("06-markup-and-formatting", typed)

	// The dialog listener works, and the page opened no dialog of its own
	// before this probe.
	p.do("open a probe dialog", chromedp.Evaluate[chromedp.Void](`setTimeout(() => alert("probe"), 0)`))
	select {
	case msg := <-dialogs:
		if msg != "probe" {
			t.Errorf("the page opened a dialog %q", msg)
		}
	case <-time.After(stepTimeout):
		t.Error("the probe dialog was never seen")
	}
}

// requireChromium skips the test under -short and fails it when the
// browser is missing.
func requireChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("drives a browser")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("no browser at %s (%v): install chromium (make test does this)", chromiumPath, err)
	}
}

// openBrowser starts headless Chromium with a fresh profile and returns its
// tab. The browser stops when the test ends.
func openBrowser(t *testing.T) context.Context {
	t.Helper()
	requireChromium(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	t.Cleanup(cancelAlloc)
	tab, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first run starts the browser; it gets no timeout, which would
	// stop the browser with it.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return tab
}

// browserPage is the sandbox page open in a browser tab, as one person at
// a time.
type browserPage struct {
	t     *testing.T
	h     *harness
	tab   context.Context
	shots string            // where screenshots go
	me    string            // whom the page shows
	after map[string]string // per person: ts of the last bot message matched
}

// openPage loads the sandbox page as the learner.
func openPage(t *testing.T, h *harness, tab context.Context) *browserPage {
	t.Helper()
	shots := os.Getenv("ARTIFACTS_DIR")
	if shots == "" {
		shots = "artifacts"
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	p := &browserPage{t: t, h: h, tab: tab, shots: shots, me: learner, after: map[string]string{}}
	p.do("load the page",
		chromedp.Navigate(h.srv.URL+"/#as="+learner),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="composer-input"]`)),
		// Record when the page last changed, so clicks can wait for it to
		// settle (a click lost to a re-render is no test).
		chromedp.Evaluate[chromedp.Void](`(() => {
			window.lastChange = performance.now();
			new MutationObserver(() => { window.lastChange = performance.now(); })
				.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
		})()`))
	p.waitFor("the learner's direct messages", `() => document.querySelector('[data-testid="person-switcher"]').value === `+jsString(learner))
	return p
}

// do runs actions within stepTimeout, failing the test with what was being
// done.
func (p *browserPage) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

// poll waits until fn (a JavaScript function of args) returns something
// truthy, and returns it.
func poll[T any](p *browserPage, what, fn string, args ...any) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.PollFunction[T](fn,
		chromedp.WithPollingArgs(args...),
		chromedp.WithPollingInterval(25*time.Millisecond),
		chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil {
		p.fatalf("waiting for %s: %v", what, err)
	}
	return v
}

func (p *browserPage) waitFor(what, fn string, args ...any) { poll[bool](p, what, fn, args...) }

// fatalf fails the test with what the page and the workspace show.
func (p *browserPage) fatalf(format string, args ...any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, 5*time.Second)
	defer cancel()
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`"status: " + document.querySelector('[data-testid="status"]').textContent + "\n" +
		[...document.querySelectorAll('[data-testid="message"]')].map(m =>
			"  [" + m.dataset.ts + " " + m.dataset.channel + " " + m.dataset.user + "] " + m.innerText.replaceAll("\n", " ⏎ ")).join("\n")`))
	if err != nil {
		shown = "(unreadable: " + err.Error() + ")"
	}
	p.t.Fatalf(format+"\npage (as %s):\n%s\nworkspace DM:\n%s", append(args, p.me, shown, p.h.dump(p.me))...)
}

// as switches the page to another person and waits for their DM.
func (p *browserPage) as(user string) {
	p.t.Helper()
	p.do("switch to "+user, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('[data-testid="person-switcher"]');
		s.value = `+jsString(user)+`;
		s.dispatchEvent(new Event("change"));
	})()`))
	p.me = user
	p.waitFor(user+"'s direct messages", `(dm) => {
		const msgs = [...document.querySelectorAll('[data-testid="message"]')];
		return msgs.length > 0 && msgs.every(m => m.dataset.channel === dm);
	}`, p.h.ws.DMChannel(user))
}

// send types text in the composer and sends it.
func (p *browserPage) send(text string) {
	p.t.Helper()
	input := chromedp.CSS(`[data-testid="composer-input"]`)
	p.do("type "+text, chromedp.SendKeys(input, text))
	if got := p.value(input); got != text {
		p.fatalf("the composer holds %q after typing %q", got, text)
	}
	p.do("send "+text, chromedp.Click(chromedp.CSS(`[data-testid="send-button"]`)))
	// The page empties the composer once the sandbox took the message.
	p.waitFor("the composer to empty after sending "+text, `() => document.querySelector('[data-testid="composer-input"]').value === ""`)
}

func (p *browserPage) value(sel chromedp.CSS) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(sel))
	if err != nil {
		p.fatalf("read %s: %v", sel, err)
	}
	return v
}

// expect waits for the next bot message in user's DM on the page whose text
// contains want, and returns its ts. Messages before it are passed over.
func (p *browserPage) expect(user, want string) string {
	p.t.Helper()
	if user != p.me {
		p.fatalf("expecting a message for %s while the page shows %s", user, p.me)
	}
	// An empty string argument reaches the page as undefined, hence the
	// defaults.
	ts := poll[string](p, fmt.Sprintf("a message to %s containing %q", user, want), `(dm, bot, after = "", want = "") => {
		for (const m of document.querySelectorAll('[data-testid="message"]')) {
			const d = m.dataset;
			if (d.channel === dm && d.user === bot && d.ts > after && m.textContent.includes(want)) return d.ts;
		}
		return "";
	}`, p.h.ws.DMChannel(user), p.h.ws.BotUserID(), p.after[user], want)
	p.after[user] = ts
	return ts
}

// mine waits for the current person's own message containing want and
// returns its ts.
func (p *browserPage) mine(want string) string {
	p.t.Helper()
	return poll[string](p, fmt.Sprintf("%s's message containing %q", p.me, want), `(me, want) => {
		for (const m of document.querySelectorAll('[data-testid="message"]')) {
			if (m.dataset.user === me && m.textContent.includes(want)) return m.dataset.ts;
		}
		return "";
	}`, p.me, want)
}

// msgSel selects the message with timestamp ts, and within it sub.
func msgSel(ts, sub string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`[data-testid="message"][data-ts=%s] %s`, jsString(ts), sub))
}

// buttonSel selects the buttons for action on a message; the renderer may
// suffix a repeated action id with "#2" and so on.
func buttonSel(ts string, action conversation.ActionID) chromedp.CSS {
	id := "button-" + string(action)
	return msgSel(ts, fmt.Sprintf(`:is([data-testid=%s], [data-testid^=%s])`, jsString(id), jsString(id+"#")))
}

// click clicks the button for action on the message with timestamp ts,
// once the page has settled.
func (p *browserPage) click(ts string, action conversation.ActionID) {
	p.t.Helper()
	p.waitFor("the page to settle", `() => performance.now() - window.lastChange > 100`)
	p.do(fmt.Sprintf("click %s on %s", action, ts), chromedp.Click(buttonSel(ts, action)))
}

// gone waits until the message with timestamp ts has no button for action.
func (p *browserPage) gone(ts string, action conversation.ActionID) {
	p.t.Helper()
	p.do(fmt.Sprintf("wait for %s to leave %s", action, ts), chromedp.WaitNotPresent(buttonSel(ts, action)))
}

// count returns how many elements match a CSS selector.
func (p *browserPage) count(sel string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, stepTimeout)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	if err != nil {
		p.fatalf("count %s: %v", sel, err)
	}
	return n
}

// wantText checks that the message with timestamp ts shows want as text.
func (p *browserPage) wantText(ts, want string) {
	p.t.Helper()
	got := poll[string](p, "the text of "+ts, `(ts) => {
		const m = document.querySelector('[data-testid="message"][data-ts="' + ts + '"]');
		return m ? m.textContent : "";
	}`, ts)
	if !strings.Contains(got, want) {
		p.t.Errorf("message %s shows %q, want it to contain %q", ts, got, want)
	}
}

// wantElement checks that the message with timestamp ts has an element
// matching sel whose text is text.
func (p *browserPage) wantElement(ts, sel, text string) {
	p.t.Helper()
	found := poll[string](p, sel+" in "+ts, `(ts, sel, text) => {
		const m = document.querySelector('[data-testid="message"][data-ts="' + ts + '"]');
		if (!m) return "";
		const els = [...m.querySelectorAll(sel)];
		return els.some(e => e.textContent === text) ? "yes" : "no: " + els.map(e => e.outerHTML).join(" ");
	}`, ts, sel, text)
	if found != "yes" {
		p.t.Errorf("message %s has no %s with text %q (%s)", ts, sel, text, found)
	}
}

// screenshot saves the viewport as name.png, with the message ts (if any)
// scrolled to the top of the conversation.
func (p *browserPage) screenshot(name, ts string) {
	p.t.Helper()
	if ts != "" {
		p.do("scroll to "+ts, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="message"][data-ts=`+jsString(ts)+`]').scrollIntoView({block: "start"})`))
	}
	ctx, cancel := context.WithTimeout(p.tab, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(p.shots, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// jsString quotes s as a JavaScript (and CSS) string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// postAsBot posts a message with one mrkdwn section to a conversation,
// through the Web API as the bot.
func (h *harness) postAsBot(channel, text string) {
	h.t.Helper()
	body, err := json.Marshal(map[string]any{
		"channel": channel,
		"text":    text,
		"blocks":  []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(h.ctx(), http.MethodPost, h.srv.URL+"/api/chat.postMessage", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+h.ws.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || !res.OK {
		h.t.Fatalf("chat.postMessage: %d %q %v", resp.StatusCode, res.Error, err)
	}
}

// TestBrowserLearningSet drives peer review in the page: the learner shares
// their draft with #learning-set from the summary's button and the share
// form; one reviewer, switched to on the page, answers in the draft's
// thread, the other in the feedback form; the learner then sees their
// peers' feedback gathered in their DM.
func TestBrowserLearningSet(t *testing.T) {
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	tab := openBrowser(t)
	p := openPage(t, h, tab)
	p.shots = filepath.Join(p.shots, "learning-set")
	if err := os.MkdirAll(p.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	set := sandbox.LearningSet
	if err := h.ws.Command(h.ctx(), sandbox.PeerPat, set, "learning-set"); err != nil {
		t.Fatal(err)
	}
	h.expectPost(set, "", "is now a learning set")
	h.draft() // drafting in the page is TestBrowserNegotiation's part

	summary := p.expect(learner, "Share with my learning set")
	p.click(summary, conversation.ActionShare)
	note := chromedp.CSS(`[data-testid="modal-input-` + conversation.FieldNote + `"]`)
	p.do("fill in the share form", chromedp.WaitVisible(note), chromedp.SendKeys(note, "Is eight weeks enough?"))
	p.screenshot("01-share-form", "")
	p.do("share", chromedp.Click(chromedp.CSS(`[data-testid="modal-submit"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="modal"]`)))
	p.expect(learner, "Shared with")
	root := h.expectPost(set, "", "Draft for review")
	asked := h.only(learner).Waiting()
	if len(asked) != 2 {
		t.Fatalf("reviewers asked: %v", asked)
	}

	// The first reviewer answers in the thread, on the page.
	p.inChannel(asked[0], set)
	p.waitFor("the shared draft in the channel", `(ts) => !!document.querySelector('[data-testid="channel-message"][data-ts="' + ts + '"]')`, root.TS)
	p.screenshot("02-shared-draft", root.TS)
	reply := chromedp.CSS(`[data-testid="thread-reply-input"][data-thread-ts=` + jsString(root.TS) + `]`)
	const said = "A short demo would be more convincing than a write-up."
	p.do("reply in the thread", chromedp.WaitVisible(reply), chromedp.SendKeys(reply, said),
		chromedp.Click(chromedp.CSS(`[data-testid="thread-reply-send"][data-thread-ts=`+jsString(root.TS)+`]`)))
	p.waitFor("the reply in the thread", `(said) => [...document.querySelectorAll('[data-testid="thread-message"]')].some(m => m.textContent.includes(said))`, said)
	p.waitFor("the bot's thanks", `() => document.body.textContent.includes("I've passed your feedback to")`)

	// The second reviewer uses the feedback form.
	p.inChannel(asked[1], set)
	p.click(root.TS, conversation.ActionFeedback)
	field := chromedp.CSS(`[data-testid="modal-input-` + conversation.FieldSpecific + `"]`)
	p.do("fill in the feedback form", chromedp.WaitVisible(field), chromedp.SendKeys(field, "Goal 1 is clear and measurable."))
	p.screenshot("03-feedback-form", "")
	p.do("send feedback", chromedp.Click(chromedp.CSS(`[data-testid="modal-submit"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="modal"]`)))

	// The learner sees it all, with who said what.
	p.do("back to direct messages", chromedp.Click(chromedp.CSS(`[data-testid="nav-dm"]`)))
	p.as(learner)
	gathered := p.expect(learner, "Your learning set has reviewed your draft")
	p.wantText(gathered, said)
	p.wantText(gathered, "Goal 1 is clear and measurable.")
	p.screenshot("04-feedback-gathered", gathered)
	if c := h.only(learner); len(c.Feedback) != 2 || len(c.Waiting()) != 0 {
		t.Fatalf("stored: %d feedback, waiting for %v", len(c.Feedback), c.Waiting())
	}
}

// inChannel switches the page to user and opens a channel.
func (p *browserPage) inChannel(user, channel string) {
	p.t.Helper()
	p.do("switch to "+user, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('[data-testid="person-switcher"]');
		s.value = `+jsString(user)+`;
		s.dispatchEvent(new Event("change"));
	})()`))
	p.me = user
	nav := chromedp.CSS(`[data-testid="nav-channel-` + channel + `"]`)
	p.do("open "+channel, chromedp.WaitVisible(nav), chromedp.Click(nav))
	p.waitFor(channel+" on the page", `(ch) => [...document.querySelectorAll('[data-testid="message"]')].some(m => m.dataset.channel === ch)`, channel)
}
