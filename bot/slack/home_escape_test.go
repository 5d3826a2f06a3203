package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestHomeEscapesUserText: a title full of mrkdwn and markup cannot ping
// a channel or forge a link on the App Home tab, however long it is.
func TestHomeEscapesUserText(t *testing.T) {
	now := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)
	c := contract.New("c1", "slack", "T1", "U1", now)
	c.Terms.Title = "<!channel> <https://evil.example|click> & <@U2> " + strings.Repeat("long ", 200)
	v, problems := renderHome(conversation.HomeView("U1", conversation.Env{Now: now, Contracts: []*contract.Contract{c}}))
	if len(problems) > 0 {
		t.Errorf("rendering left content out: %q", problems)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(data))
	for _, bad := range []string{"<!channel>", "<https://evil", "<@U2>"} {
		if strings.Contains(got, bad) {
			t.Errorf("the home carries %q unescaped: %s", bad, got)
		}
	}
	if !strings.Contains(got, "&lt;!channel&gt;") || !strings.Contains(got, "…") {
		t.Errorf("the title is not shown escaped and clipped: %s", got)
	}
}
