package sandbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

func TestLearningSetMembers(t *testing.T) {
	e := newEnv(t)
	want := []string{Learner, PeerPat, PeerSam, PeerLee, PeerKim, BotUser}
	if got := e.w.Members(LearningSet); !slices.Equal(got, want) {
		t.Errorf("#learning-set = %v, want %v", got, want)
	}
	for user, see := range map[string]bool{Learner: true, PeerKim: true, BotUser: true, Manager: false, Advocate: false, "U99NOBODY": false} {
		if got := e.w.CanSee(user, LearningSet); got != see {
			t.Errorf("CanSee(%s, #learning-set) = %v, want %v", user, got, see)
		}
	}
	if e.w.CanSee(Learner, "C99NONE") || !e.w.CanSee(Manager, "D02MO") || e.w.CanSee(Learner, "D02MO") {
		t.Error("CanSee of direct conversations or unknown channels is wrong")
	}
	for id, label := range map[string]string{PeerLee: "India Standard Time", PeerKim: "Australian Eastern Daylight Time"} {
		u, err := e.client.GetUserInfo(id)
		if err != nil || u.TZLabel != label {
			t.Errorf("users.info %s = %+v, %v; want tz_label %q", id, u, err, label)
		}
	}
}

func TestThreadReplyDelivery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, root, err := e.client.PostMessageContext(ctx, LearningSet, slackapi.MsgOptionText("Ada's draft for review", false))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.Post(ctx, PeerLee, LearningSet, "The goals are measurable", root); err != nil {
		t.Fatal(err)
	}
	ev := parseEvent(t, e.bot.last(t))
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || msg.ChannelType != "channel" || msg.ThreadTimeStamp != root || msg.TimeStamp == root ||
		msg.User != PeerLee || msg.Channel != LearningSet || msg.BotID != "" || msg.SubType != "" {
		t.Fatalf("thread reply event = %+v", ev.InnerEvent.Data)
	}
	if th := e.w.Thread(LearningSet, root); len(th) != 2 || th[1].User != PeerLee {
		t.Errorf("thread = %+v", th)
	}

	// Slack refuses a reply from someone outside the channel: nothing is
	// stored or delivered.
	before := len(e.bot.deliveries())
	err = e.w.Post(ctx, Manager, LearningSet, "I am not in here", root)
	if !errors.Is(err, ErrNotInChannel) || !errors.Is(err, ErrNotAllowed) {
		t.Errorf("reply by a non-member: %v, want ErrNotInChannel", err)
	}
	if n := len(e.bot.deliveries()); n != before {
		t.Errorf("%d events delivered for a refused reply", n-before)
	}
	if th := e.w.Thread(LearningSet, root); len(th) != 2 {
		t.Errorf("a refused reply was stored: %+v", th)
	}
}

func TestChannelMembership(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, name := range []string{"", "Has Caps", "#hash", string(make([]byte, 81))} {
		if _, err := e.w.CreateChannel(name); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("CreateChannel(%q) = %v, want ErrInvalidInput", name, err)
		}
	}
	if _, err := e.w.CreateChannel(LearningSetName); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("a second #learning-set: %v", err)
	}
	if _, err := e.w.CreateChannel("set-two", Learner, "U99NOBODY"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a channel with an unknown member: %v", err)
	}

	ch, err := e.w.CreateChannel("set-two", Learner, PeerPat)
	if err != nil {
		t.Fatal(err)
	}
	// The bot is not in the channel yet: joins reach nobody.
	if err := e.w.Join(ctx, PeerSam, ch); err != nil {
		t.Fatal(err)
	}
	if n := len(e.bot.deliveries()); n != 0 {
		t.Fatalf("%d events delivered to a bot outside the channel", n)
	}
	if err := e.w.InviteBot(ctx, Manager, ch); !errors.Is(err, ErrNotInChannel) {
		t.Errorf("invitation by a non-member: %v", err)
	}
	if err := e.w.InviteBot(ctx, Learner, ch); err != nil {
		t.Fatal(err)
	}
	joined, ok := parseEvent(t, e.bot.last(t)).InnerEvent.Data.(*slackevents.MemberJoinedChannelEvent)
	if !ok || joined.User != BotUser || joined.Inviter != Learner || joined.Channel != ch {
		t.Fatalf("bot invited: %+v", parseEvent(t, e.bot.last(t)).InnerEvent.Data)
	}
	if err := e.w.Join(ctx, Manager, ch); err != nil {
		t.Fatal(err)
	}
	joined, ok = parseEvent(t, e.bot.last(t)).InnerEvent.Data.(*slackevents.MemberJoinedChannelEvent)
	if !ok || joined.User != Manager || joined.Inviter != "" || joined.Channel != ch {
		t.Fatalf("Mo joined: %+v", parseEvent(t, e.bot.last(t)).InnerEvent.Data)
	}
	n := len(e.bot.deliveries())
	if err := e.w.Join(ctx, Manager, ch); err != nil || len(e.bot.deliveries()) != n {
		t.Errorf("joining twice: %v, %d events", err, len(e.bot.deliveries())-n)
	}
	if err := e.w.Leave(ctx, Manager, ch); err != nil {
		t.Fatal(err)
	}
	left, ok := parseEvent(t, e.bot.last(t)).InnerEvent.Data.(*slackevents.MemberLeftChannelEvent)
	if !ok || left.User != Manager || left.Channel != ch {
		t.Fatalf("Mo left: %+v", parseEvent(t, e.bot.last(t)).InnerEvent.Data)
	}
	if err := e.w.Post(ctx, Manager, ch, "still here?", ""); !errors.Is(err, ErrNotInChannel) {
		t.Errorf("posting after leaving: %v", err)
	}
	for _, err := range []error{e.w.Join(ctx, Learner, "D01ADA"), e.w.Leave(ctx, Learner, "C99NONE"), e.w.Join(ctx, BotUser, ch)} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("membership change of a DM, an unknown channel or the bot: %v", err)
		}
	}

	want := []string{Learner, PeerPat, PeerSam, BotUser}
	if got := e.w.Members(ch); !slices.Equal(got, want) {
		t.Errorf("members = %v, want %v", got, want)
	}
	info, err := e.client.GetConversationInfo(&slackapi.GetConversationInfoInput{ChannelID: ch})
	if err != nil || info.Name != "set-two" || !info.IsMember || info.NumMembers != 4 || info.Creator != Learner {
		t.Errorf("conversations.info = %+v, %v", info, err)
	}
	// conversations.members pages with a cursor.
	var all []string
	cursor := ""
	for range 5 {
		page, next, err := e.client.GetUsersInConversation(&slackapi.GetUsersInConversationParameters{ChannelID: ch, Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if cursor = next; cursor == "" {
			break
		}
	}
	if !slices.Equal(all, want) {
		t.Errorf("members page by page = %v, want %v", all, want)
	}
	_, _, err = e.client.GetUsersInConversation(&slackapi.GetUsersInConversationParameters{ChannelID: ch, Cursor: "bogus"})
	if got := slackErr(t, err); got != "invalid_cursor" {
		t.Errorf("bad cursor: %q", got)
	}
}

// A bigger learning set, as tests of fair reviewer assignment need.
func TestCreateBigChannel(t *testing.T) {
	var people []Person
	var ids []string
	for i := range 8 {
		p := Person{ID: fmt.Sprintf("U%02dPEER", i+1), Name: fmt.Sprintf("peer%d", i+1), Role: "peer"}
		people = append(people, p)
		ids = append(ids, p.ID)
	}
	w := New(Config{People: people, Clock: NewClock(start)})
	ch, err := w.CreateChannel("set-of-eight", append(ids, w.BotUserID())...)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Members(ch); len(got) != 9 || !w.CanSee(ids[7], ch) {
		t.Errorf("members = %v", got)
	}
}

func TestMembershipPersisted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	e := newStateEnv(t, path, NewClock(start), nil)
	ctx := context.Background()
	ch, err := e.w.CreateChannel("set-two", Learner, BotUser)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.Join(ctx, PeerKim, ch); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Leave(ctx, PeerSam, LearningSet); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Post(ctx, PeerKim, ch, "hello set", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Close(); err != nil {
		t.Fatal(err)
	}

	r := newStateEnv(t, path, NewClock(start), nil)
	if got, want := r.w.Members(ch), []string{Learner, BotUser, PeerKim}; !slices.Equal(got, want) {
		t.Errorf("restored members of %s = %v, want %v", ch, got, want)
	}
	if r.w.CanSee(PeerSam, LearningSet) || !r.w.CanSee(PeerPat, LearningSet) {
		t.Errorf("restored #learning-set = %v", r.w.Members(LearningSet))
	}
	if msgs := r.w.Channel(ch); len(msgs) != 1 || msgs[0].Text != "hello set" {
		t.Errorf("restored messages = %+v", msgs)
	}
	if _, err := r.w.CreateChannel("set-two"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("the restored channel's name is free again: %v", err)
	}
	other, err := r.w.CreateChannel("set-three")
	if err != nil || other == ch {
		t.Errorf("a new channel after the restart = %q, %v (restored %q)", other, err, ch)
	}
}
