package slack

import (
	"errors"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

func TestDecodeInteraction(t *testing.T) {
	tests := []struct {
		name     string
		payload  string
		want     conversation.Input
		wantTeam string
		wantErr  error // nil: success; errIgnored; otherwise any error
	}{
		{
			name: "button in a DM",
			payload: `{"type":"block_actions","trigger_id":"t1","user":{"id":"U1","team_id":"T9"},"team":{"id":"T1"},
				"container":{"type":"message","message_ts":"1.2","channel_id":"D1"},"channel":{"id":"D1"},
				"message":{"ts":"1.2","blocks":[{"type":"something_new","x":1}]},
				"actions":[{"type":"button","block_id":"b","action_id":"lp_edit#12","value":"c=a&v=1"}]}`,
			want: conversation.Input{Kind: conversation.ActionInput, User: "U1", Channel: "D1", ActionID: "lp_edit", Value: "c=a&v=1",
				Source: conversation.MessageRef{Channel: "D1", TS: "1.2"}, TriggerID: "t1"},
			wantTeam: "T1",
		},
		{
			name: "button on a message only the clicker sees",
			payload: `{"type":"block_actions","trigger_id":"t2","user":{"id":"U1"},"team":{"id":"T1"},
				"container":{"type":"message","message_ts":"1.3","channel_id":"C1","is_ephemeral":true},"channel":{"id":"C1"},
				"response_url":"https://hooks.slack.com/actions/T1/1/x",
				"actions":[{"type":"button","block_id":"b","action_id":"lp_amend","value":"c=a&v=1"}]}`,
			want: conversation.Input{Kind: conversation.ActionInput, User: "U1", Channel: "C1", ActionID: "lp_amend", Value: "c=a&v=1",
				Source: conversation.MessageRef{Channel: "C1", ReplaceURL: "https://hooks.slack.com/actions/T1/1/x"}, TriggerID: "t2"},
			wantTeam: "T1",
		},
		{
			name: "select choice, team from the user",
			payload: `{"type":"block_actions","user":{"id":"U1","team_id":"T9"},"channel":{"id":"C1"},"message":{"ts":"3.4"},
				"actions":[{"type":"static_select","block_id":"b","action_id":"lp_cadence","selected_option":{"value":"weekly"}}]}`,
			want: conversation.Input{Kind: conversation.ActionInput, User: "U1", Channel: "C1", ActionID: "lp_cadence", Value: "weekly",
				Source: conversation.MessageRef{Channel: "C1", TS: "3.4"}},
			wantTeam: "T9",
		},
		{
			name: "button in a modal",
			payload: `{"type":"block_actions","user":{"id":"U1"},"container":{"type":"view","view_id":"V1"},
				"actions":[{"type":"button","block_id":"b","action_id":"x","value":"v"}]}`,
			want: conversation.Input{Kind: conversation.ActionInput, User: "U1", ActionID: "x", Value: "v"},
		},
		{
			name: "modal submission",
			payload: `{"type":"view_submission","user":{"id":"U1"},"team":{"id":"T1"},
				"view":{"callback_id":"lp_changes","private_metadata":"c=a&v=2","state":{"values":{
					"comment":{"comment":{"type":"plain_text_input","value":"More <detail> & dates"}},
					"comment#2":{"comment#2":{"type":"plain_text_input","value":null}},
					"when":{"when":{"type":"datepicker","selected_date":"2025-03-28"}}}}}}`,
			want: conversation.Input{Kind: conversation.SubmitInput, User: "U1", CallbackID: "lp_changes", PrivateData: "c=a&v=2",
				Form: map[string]string{"comment": "More <detail> & dates", "when": "2025-03-28"}},
			wantTeam: "T1",
		},
		{
			name: "modal submission with choices",
			payload: `{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"lp_feedback","state":{"values":{
					"strengths":{"strengths":{"type":"checkboxes","selected_options":[{"text":{"type":"plain_text","text":"Evidence"},"value":"evidence"},{"text":{"type":"plain_text","text":"Goals"},"value":"goals"}]}},
					"gaps":{"gaps":{"type":"checkboxes","selected_options":[]}},
					"ready":{"ready":{"type":"radio_buttons","selected_option":{"text":{"type":"plain_text","text":"Yes"},"value":"yes"}}},
					"later":{"later":{"type":"radio_buttons","selected_option":null}}}}}}`,
			want: conversation.Input{Kind: conversation.SubmitInput, User: "U1", CallbackID: "lp_feedback",
				Form: map[string]string{"strengths": "evidence,goals", "gaps": "", "ready": "yes", "later": ""}},
		},
		{name: "block_actions without actions", payload: `{"type":"block_actions","user":{"id":"U1"},"actions":[]}`, wantErr: errIgnored},
		{name: "shortcut", payload: `{"type":"shortcut","user":{"id":"U1"},"callback_id":"x"}`, wantErr: errIgnored},
		{name: "view closed", payload: `{"type":"view_closed","user":{"id":"U1"}}`, wantErr: errIgnored},
		{name: "no user", payload: `{"type":"view_submission","view":{}}`, wantErr: errAny},
		{name: "not JSON", payload: `payload`, wantErr: errAny},
		{name: "wrong shape", payload: `{"type":"block_actions","user":{"id":"U1"},"actions":{"a":1}}`, wantErr: errAny},
		{name: "JSON null", payload: `null`, wantErr: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := decodeInteraction([]byte(tt.payload))
			got, team := in.input, in.team
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr == errIgnored && !errors.Is(err, errIgnored):
				t.Fatalf("err = %v, want errIgnored", err)
			case tt.wantErr == errAny && (err == nil || errors.Is(err, errIgnored)):
				t.Fatalf("err = %v, want a decoding error", err)
			}
			if tt.wantErr != nil {
				return
			}
			if team != tt.wantTeam {
				t.Errorf("team = %q, want %q", team, tt.wantTeam)
			}
			if tt.want.Kind == conversation.SubmitInput && got.Form == nil {
				t.Error("submission without a form map")
			}
			if !equalInput(got, tt.want) {
				t.Errorf("input = %+v\nwant    %+v", got, tt.want)
			}
		})
	}
}

var errAny = errors.New("any error")

func FuzzDecodeInteraction(f *testing.F) {
	f.Add(`{"type":"block_actions","user":{"id":"U1"},"team":{"id":"T1"},"container":{"channel_id":"D1","message_ts":"1.2"},"actions":[{"block_id":"b","action_id":"a#2","value":"v"}]}`)
	f.Add(`{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"c","private_metadata":"p","state":{"values":{"b":{"a":{"type":"static_select","selected_option":{"value":"x"}}}}}}}`)
	f.Add(`{"type":"block_actions","user":{"id":"U1"},"state":{"values":{}},"message":{"blocks":[{"type":"rich_text","elements":[]}]},"actions":[{"block_id":1}]}`)
	f.Add(`{"type":"shortcut"}`)
	f.Add(`{"type":"view_submission","user":{"id":"U1"},"view":{"state":null,"blocks":[{"type":"input"}]}}`)
	f.Add(`[]`)
	f.Add(`{"type":"view_submission","user":{"id":"U1"},"view":{"state":{"values":{"b":{"a":{"type":"checkboxes","selected_options":[{"value":"x"},{"value":""},null]}}}}}}`)
	f.Add(`{"type":"view_submission","user":{"id":"U1"},"view":{"state":{"values":{"b":{"a":{"type":"radio_buttons","selected_option":{"value":"y"}}}}}}}`)
	f.Fuzz(func(t *testing.T, payload string) {
		ib, err := decodeInteraction([]byte(payload))
		in := ib.input
		if err != nil {
			if in.Kind != "" {
				t.Errorf("error %v with input %+v", err, in)
			}
			return
		}
		if in.User == "" {
			t.Errorf("input without a user: %+v", in)
		}
		switch in.Kind {
		case conversation.ActionInput:
			if in.ActionID != baseActionID(in.ActionID) {
				t.Errorf("action id %q keeps its suffix", in.ActionID)
			}
			if in.Source.TS != "" && in.Source.Channel != in.Channel {
				t.Errorf("source %+v outside channel %q", in.Source, in.Channel)
			}
		case conversation.SubmitInput:
			if in.Form == nil {
				t.Error("submission without a form map")
			}
		default:
			t.Errorf("unexpected kind %q", in.Kind)
		}
	})
}

func TestEventInbound(t *testing.T) {
	tests := []struct {
		name string
		ec   eventCallback
		want *inbound
	}{
		{"DM", eventCallback{Type: "event_callback", TeamID: "T1", EventID: "E1",
			Event: innerEvent{Type: "message", ChannelType: "im", Channel: "D1", User: "U1", Text: "goal: lead &lt;x&gt;"}},
			&inbound{team: "T1", event: "slack:E1", input: conversation.Input{Kind: conversation.TextInput, User: "U1", Channel: "D1", Text: "goal: lead <x>"}}},
		{"file shared in a DM", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", Subtype: "file_share", ChannelType: "im", Channel: "D1", User: "U1", Text: "my evidence",
			Files: []eventFile{{ID: "F1", Name: "deck.pdf", Title: "Deck", Mimetype: "application/pdf", Size: 1200, Permalink: "https://t.slack.com/files/U1/F1/deck.pdf"},
				{ID: "F2", Title: "untitled", Mode: "hosted"}, {ID: "F3", Name: "gone.txt", Mode: "tombstone"}, {ID: "F4", Name: "old.txt", Mode: "hidden_by_limit"}, {Name: "no id"}}}},
			&inbound{input: conversation.Input{Kind: conversation.TextInput, User: "U1", Channel: "D1", Text: "my evidence", Files: []contract.File{
				{ID: "F1", Name: "deck.pdf", Type: "application/pdf", Size: 1200, Permalink: "https://t.slack.com/files/U1/F1/deck.pdf"}, {ID: "F2", Name: "untitled"}}}}},
		{"mention", eventCallback{Type: "event_callback", Event: innerEvent{Type: "app_mention", Channel: "C1", User: "U1", Text: "<@UBOT> help"}},
			&inbound{mention: true, input: conversation.Input{Kind: conversation.TextInput, User: "U1", Channel: "C1", Text: "<@UBOT> help", Public: true}}},
		{"channel message", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", ChannelType: "channel", User: "U1"}}, nil},
		{"group DM", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", ChannelType: "mpim", User: "U1"}}, nil},
		{"bot", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", ChannelType: "im", User: "U1", BotID: "B1"}}, nil},
		{"bot mention", eventCallback{Type: "event_callback", Event: innerEvent{Type: "app_mention", User: "U1", BotID: "B1"}}, nil},
		{"edit", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", Subtype: "message_changed", ChannelType: "im"}}, nil},
		{"join", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", Subtype: "channel_join", ChannelType: "im", User: "U1"}}, nil},
		{"home", eventCallback{Type: "event_callback", EventID: "E4", Event: innerEvent{Type: "app_home_opened", User: "U1", Tab: "home"}},
			&inbound{event: "slack:E4", input: conversation.Input{Kind: conversation.HomeInput, User: "U1"}}},
		{"messages tab", eventCallback{Type: "event_callback", Event: innerEvent{Type: "app_home_opened", User: "U1", Tab: "messages"}}, nil},
		{"not a callback", eventCallback{Type: "url_verification", Event: innerEvent{Type: "message", ChannelType: "im", User: "U1"}}, nil},
		{"thread reply", eventCallback{Type: "event_callback", TeamID: "T1", EventID: "E2",
			Event: innerEvent{Type: "message", ChannelType: "channel", Channel: "C1", User: "U2", TS: "2.2", ThreadTS: "1.1", Text: "clear goals &amp; <@U1>"}},
			&inbound{team: "T1", event: "slack:E2", input: conversation.Input{Kind: conversation.ThreadInput, User: "U2", Channel: "C1", Thread: "1.1", Text: "clear goals & <@U1>"}}},
		{"thread reply in a private channel", eventCallback{Type: "event_callback",
			Event: innerEvent{Type: "message", ChannelType: "group", Channel: "G1", User: "U2", TS: "2.2", ThreadTS: "1.1", Text: "ok"}},
			&inbound{input: conversation.Input{Kind: conversation.ThreadInput, User: "U2", Channel: "G1", Thread: "1.1", Text: "ok"}}},
		{"thread reply also sent to the channel", eventCallback{Type: "event_callback",
			Event: innerEvent{Type: "message", Subtype: "thread_broadcast", ChannelType: "channel", Channel: "C1", User: "U2", TS: "2.2", ThreadTS: "1.1", Text: "ok"}},
			&inbound{input: conversation.Input{Kind: conversation.ThreadInput, User: "U2", Channel: "C1", Thread: "1.1", Text: "ok"}}},
		{"thread reply by a bot", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", ChannelType: "channel", Channel: "C1", User: "U2", BotID: "B1", TS: "2.2", ThreadTS: "1.1"}}, nil},
		{"thread reply edited", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", Subtype: "message_changed", ChannelType: "channel", Channel: "C1", User: "U2", TS: "2.2", ThreadTS: "1.1"}}, nil},
		{"thread root", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", ChannelType: "channel", Channel: "C1", User: "U2", TS: "1.1", ThreadTS: "1.1"}}, nil},
		{"thread reply in a group DM", eventCallback{Type: "event_callback", Event: innerEvent{Type: "message", ChannelType: "mpim", Channel: "G1", User: "U2", TS: "2.2", ThreadTS: "1.1"}}, nil},
		{"mention in a thread: the message event is the turn", eventCallback{Type: "event_callback",
			Event: innerEvent{Type: "app_mention", Channel: "C1", User: "U2", TS: "2.2", ThreadTS: "1.1", Text: "<@UBOT> done"}}, nil},
		{"mention at a thread's root", eventCallback{Type: "event_callback", Event: innerEvent{Type: "app_mention", Channel: "C1", User: "U1", TS: "1.1", ThreadTS: "1.1", Text: "<@UBOT> hi"}},
			&inbound{mention: true, input: conversation.Input{Kind: conversation.TextInput, User: "U1", Channel: "C1", Text: "<@UBOT> hi", Public: true}}},
		{"bot added to a channel", eventCallback{Type: "event_callback", EventID: "E3",
			Event: innerEvent{Type: "member_joined_channel", Channel: "C1", ChannelType: "C", User: "UBOT", Inviter: "U1"}},
			&inbound{event: "slack:E3", joined: "UBOT", input: conversation.Input{Kind: conversation.JoinInput, User: "U1", Channel: "C1"}}},
		{"joined without an inviter", eventCallback{Type: "event_callback", Event: innerEvent{Type: "member_joined_channel", Channel: "C1", User: "U7"}},
			&inbound{joined: "U7", input: conversation.Input{Kind: conversation.JoinInput, Channel: "C1"}}},
		{"joined no channel", eventCallback{Type: "event_callback", Event: innerEvent{Type: "member_joined_channel", User: "U7"}}, nil},
		{"left a channel", eventCallback{Type: "event_callback", Event: innerEvent{Type: "member_left_channel", Channel: "C1", User: "U7"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.ec.inbound()
			if ok != (tt.want != nil) {
				t.Fatalf("ok = %v, want %v", ok, tt.want != nil)
			}
			if ok && (got.team != tt.want.team || got.event != tt.want.event || got.mention != tt.want.mention ||
				got.joined != tt.want.joined || !equalInput(got.input, tt.want.input)) {
				t.Errorf("inbound = %+v, want %+v", got, *tt.want)
			}
		})
	}
}

func TestMembershipChange(t *testing.T) {
	for typ, want := range map[string]bool{"member_joined_channel": true, "member_left_channel": true, "message": false, "app_mention": false} {
		ch, ok := eventCallback{Type: "event_callback", Event: innerEvent{Type: typ, Channel: "C1", User: "U1"}}.membershipChange()
		if ok != want || (ok && ch != "C1") {
			t.Errorf("%s: membershipChange = %q, %v", typ, ch, ok)
		}
	}
	if _, ok := (eventCallback{Type: "event_callback", Event: innerEvent{Type: "member_left_channel"}}).membershipChange(); ok {
		t.Error("a membership change without a channel")
	}
}

func FuzzEventInbound(f *testing.F) {
	f.Add(`{"type":"event_callback","team_id":"T1","event_id":"E1","event":{"type":"message","channel_type":"channel","channel":"C1","user":"U1","ts":"2.2","thread_ts":"1.1","text":"ok"}}`)
	f.Add(`{"type":"event_callback","event":{"type":"app_mention","channel":"C1","user":"U1","ts":"2.2","thread_ts":"1.1","text":"<@UBOT> x"}}`)
	f.Add(`{"type":"event_callback","event":{"type":"member_joined_channel","channel":"C1","user":"UBOT","inviter":"U1"}}`)
	f.Add(`{"type":"event_callback","event":{"type":"member_left_channel","channel":"C1","user":"U2"}}`)
	f.Add(`{"type":"event_callback","event":{"type":"message","channel_type":"im","channel":"D1","user":"U1","text":"hi"}}`)
	f.Add(`{"type":"event_callback","event":{"type":"message","subtype":"thread_broadcast","channel_type":"group","channel":"G1","user":"U1","ts":"3","thread_ts":"1"}}`)
	f.Add(`{"type":"event_callback","event":null}`)
	f.Add(`{"type":"event_callback","event":{"type":"message","subtype":"file_share","channel_type":"im","channel":"D1","user":"U1","files":[{"id":"F1","name":"a.pdf","size":12,"permalink":"https://x/F1"},{"id":"F2","mode":"tombstone"},{}]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		ec, err := parseEvent([]byte(body))
		if err != nil {
			return
		}
		_, _ = ec.membershipChange()
		in, ok := ec.inbound()
		if !ok {
			return
		}
		e := ec.Event
		if e.BotID != "" || e.User == "" {
			t.Errorf("turn from a bot or nobody: %+v", e)
		}
		switch in.input.Kind {
		case conversation.ThreadInput:
			if in.input.Thread == "" || in.input.Thread == e.TS || in.input.User == "" || in.input.Channel == "" {
				t.Errorf("thread input %+v from %+v", in.input, e)
			}
		case conversation.JoinInput:
			if in.joined == "" || in.input.Channel == "" || e.Type != "member_joined_channel" {
				t.Errorf("join input %+v from %+v", in, e)
			}
		case conversation.TextInput:
			if in.input.User == "" || in.input.Thread != "" || (e.Type == "app_mention" && e.inThread()) {
				t.Errorf("text input %+v from %+v", in.input, e)
			}
		default:
			t.Errorf("unexpected kind %q", in.input.Kind)
		}
	})
}

func TestFromMrkdwn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"a &amp; b &lt;c&gt; &amp;lt;", "a & b <c> &lt;"},
		{"see <https://example.com/a?b=1&amp;c=2|example.com/a>", "see https://example.com/a?b=1&c=2"},
		{"<http://x.io>", "http://x.io"},
		{"mail <mailto:a@b.c|a@b.c>", "mail a@b.c"},
		{"ask <@U123|mo> and <@W456>", "ask <@U123> and <@W456>"},
		{"in <#C123|general> or <#C456>", "in #general or #C456"},
		{"<!channel> <!here|@here> <!subteam^S1|@leads> <!date^1392734382^{date}|Feb 18>", "@channel @here @leads Feb 18"},
		{"unclosed < bracket", "unclosed < bracket"},
		{"1 &lt; 2 &gt; 0", "1 < 2 > 0"},
	}
	for _, tt := range tests {
		if got := fromMrkdwn(tt.in); got != tt.want {
			t.Errorf("fromMrkdwn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCommandInbound(t *testing.T) {
	in, err := commandInbound(slackapi.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "C1", Text: " new &amp; shiny ", TriggerID: "tr"})
	if err != nil {
		t.Fatal(err)
	}
	want := conversation.Input{Kind: conversation.CommandInput, User: "U1", Channel: "C1", Text: "new & shiny", TriggerID: "tr"}
	if in.team != "T1" || !equalInput(in.input, want) {
		t.Errorf("inbound = %+v", in)
	}
	if _, err := commandInbound(slackapi.SlashCommand{Text: "x"}); err == nil {
		t.Error("command without a user accepted")
	}
}

func TestStripMention(t *testing.T) {
	tests := []struct{ text, bot, want string }{
		{"<@UBOT> status", "UBOT", "status"},
		{"hey <@UBOT>, status", "UBOT", "hey , status"},
		{"<@UOTHER> is my manager", "UBOT", "<@UOTHER> is my manager"},
		{"<@UBOT> status", "", "status"},
		{strings.Repeat(" ", 3), "UBOT", ""},
	}
	for _, tt := range tests {
		if got := stripMention(tt.text, tt.bot); got != tt.want {
			t.Errorf("stripMention(%q, %q) = %q, want %q", tt.text, tt.bot, got, tt.want)
		}
	}
}
