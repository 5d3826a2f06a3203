package bottest

import (
	"context"
	"testing"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

func note(s string) message.Message { return message.Message{Summary: s} }

// TestPlatformKeepsWhatEachPersonSees: refs count up in sending order, an
// update replaces the message where it is, an ephemeral note is seen by
// one person only, and a thread reply is among the channel's posts.
func TestPlatformKeepsWhatEachPersonSees(t *testing.T) {
	ctx := context.Background()
	p := NewPlatform()
	p.AddChannel("CSET", "ULEE", "UPAT")
	dm, err := p.SendDM(ctx, "ULEE", note("hello"))
	if err != nil || dm != (conversation.MessageRef{Channel: "DULEE", TS: "1700000000.000001"}) {
		t.Fatalf("SendDM = %+v, %v", dm, err)
	}
	root, _ := p.PostNow(ctx, "CSET", note("draft"))
	reply, _ := p.PostThread(ctx, root, note("feedback"))
	if root.TS != "1700000000.000002" || reply != (conversation.MessageRef{Channel: "CSET", TS: "1700000000.000003"}) {
		t.Errorf("refs %+v, %+v", root, reply)
	}
	if err := p.Update(ctx, dm, note("hello again")); err != nil {
		t.Fatal(err)
	}
	if err := p.Ephemeral(ctx, "CSET", "UPAT", note("only Pat")); err != nil {
		t.Fatal(err)
	}
	if got := p.Messages("ULEE"); len(got) != 1 || got[0].Message.Summary != "hello again" || got[0].Ref != dm {
		t.Errorf("Lee sees %+v", got)
	}
	if got := p.Messages("UPAT"); len(got) != 1 || got[0].Only != "UPAT" || got[0].Ref.TS != "" {
		t.Errorf("Pat sees %+v", got)
	}
	if got := p.Posts("CSET"); len(got) != 2 || got[1].Thread != root.TS {
		t.Errorf("the channel holds %+v", got)
	}
	if err := p.Update(ctx, conversation.MessageRef{Channel: "DULEE", TS: "1700000000.000099"}, note("x")); err == nil {
		t.Error("updating a message that was never sent worked")
	}
	if err := p.OpenModal(ctx, "never-clicked", message.Modal{Title: "x"}); err == nil {
		t.Error("a form opened without a click")
	}
	if _, err := p.Channel(ctx, "CNONE"); err == nil {
		t.Error("an unknown channel has members")
	}
	if got := len(p.Deliveries()); got != 5 {
		t.Errorf("%d deliveries, want 5", got)
	}
}
