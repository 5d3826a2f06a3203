package teams

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation"
)

// FuzzDecode feeds arbitrary bodies to the activity decoder: it never
// panics, refuses what it cannot read as malformed, and every turn it
// starts has an actor and a kind the conversation knows.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"type":"message","id":"1","serviceUrl":"https://s/","from":{"id":"29:a"},"recipient":{"id":"28:b"},"conversation":{"id":"a:1","conversationType":"personal"},"text":"hi"}`,
		`{"type":"message","id":"2","serviceUrl":"https://s/","from":{"id":"29:a"},"recipient":{"id":"28:b"},"conversation":{"id":"19:x@thread.tacv2;messageid=9","conversationType":"channel"},"text":"<at>learnpact</at> looks good","entities":[{"type":"mention","text":"<at>learnpact</at>","mentioned":{"id":"28:b"}}]}`,
		`{"type":"message","id":"3","serviceUrl":"https://s/","from":{"id":"29:a"},"recipient":{"id":"28:b"},"conversation":{"id":"a:1"},"value":{"lp":"lp_approve","v":"c=c1&v=1"},"replyToId":"7"}`,
		`{"type":"message","id":"4","serviceUrl":"https://s/","from":{"id":"29:a"},"recipient":{"id":"28:b"},"conversation":{"id":"a:1"},"value":{"lp_submit":"feedback","pd":"c=c1&v=0","specific":"yes"}}`,
		`{"type":"message","id":"5","serviceUrl":"https://s/","from":{"id":"29:a"},"recipient":{"id":"28:b"},"conversation":{"id":"a:1"},"value":"not an object"}`,
		`{"type":"conversationUpdate","id":"6","serviceUrl":"https://s/","from":{"id":"29:a"},"recipient":{"id":"28:b"},"conversation":{"id":"19:x@thread.tacv2","conversationType":"channel"},"membersAdded":[{"id":"28:b"}],"channelData":{"channel":{"id":"19:x@thread.tacv2"}}}`,
		`{"type":"invoke","name":"adaptiveCard/action","serviceUrl":"https://s/","conversation":{"id":"a"}}`,
		`{"type":"invoke","name":"adaptiveCard/action","id":"7","serviceUrl":"https://s/","from":{"id":"29:a"},"recipient":{"id":"28:b"},"conversation":{"id":"a:1","conversationType":"personal"},"value":{"action":{"type":"Action.Execute","verb":"lp_skip","data":{"v":"c=c1&v=0"}}},"replyToId":"8"}`,
		`{"type":"invoke","name":"task/fetch","serviceUrl":"https://s/","conversation":{"id":"a"},"value":{"data":{}}}`,
		`{"type":"installationUpdate","action":"remove","serviceUrl":"https://s/","from":{"id":"29:a"},"conversation":{"id":"a:1","conversationType":"personal"}}`,
		`{"type":"message","id":"9","serviceUrl":"https://s/","from":{"id":"29:a"},"recipient":{"id":"28:b"},"conversation":{"id":"a:1","conversationType":"personal"},"attachments":[{"contentType":"application/vnd.microsoft.teams.file.download.info","name":"a.pdf","contentUrl":"https://x/a.pdf","content":{"uniqueId":"U1","fileType":"pdf","downloadUrl":"https://x/dl"}},{"contentType":"application/vnd.microsoft.teams.file.download.info","content":7},{"contentType":"text/html"}]}`,
		`{}`, `[]`, `null`, `{"type":1}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	kinds := map[conversation.InputKind]bool{conversation.TextInput: true, conversation.ActionInput: true,
		conversation.SubmitInput: true, conversation.ThreadInput: true, conversation.JoinInput: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decode(body)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("error not marked malformed: %v", err)
			}
			return
		}
		if (in.act.Type == "invoke") != (in.invoke != notInvoke) {
			t.Fatalf("activity of type %q decoded as invoke %d", in.act.Type, in.invoke)
		}
		if in.intent == removed && in.act.Type != "installationUpdate" {
			t.Fatalf("a %q activity taken for an uninstall", in.act.Type)
		}
		if in.intent != turn {
			return
		}
		// A join may come from someone unknown; every other turn has an actor.
		if (in.input.User == "" && in.input.Kind != conversation.JoinInput) || !kinds[in.input.Kind] {
			t.Fatalf("turn without actor or with kind %q: %+v", in.input.Kind, in.input)
		}
		if in.input.Kind == conversation.ThreadInput && (in.input.Thread == "" || in.input.Channel == "") {
			t.Fatalf("thread turn without thread or channel: %+v", in.input)
		}
		if utf8.ValidString(string(body)) && !utf8.ValidString(in.input.Text) {
			t.Fatalf("valid input gave invalid text %q", in.input.Text)
		}
	})
}
