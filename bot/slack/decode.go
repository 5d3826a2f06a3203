package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// errIgnored marks a well-formed payload the bot does not act on.
var errIgnored = errors.New("ignored")

// inbound is one decoded platform event, ready for a turn.
type inbound struct {
	input conversation.Input
	team  string
	// event names the platform event for the engine (bot.Turn.Event), so
	// a redelivery is not applied twice: "slack:" and the Events API's
	// event_id; for a click or a slash command, which have none, its
	// trigger_id; for a form submission, its view's id (see
	// decodeInteraction).
	event string
	// retries reports that Slack delivers the event again if it is
	// refused: an Events API event before its last retry.
	retries bool
	// mention is set for app mentions: the bot's own mention is removed
	// from the text once the bot's user id is known.
	mention bool
	// joined is who joined a channel, for a JoinInput: the turn runs only
	// when it is the bot itself.
	joined string
}

// eventCallback is the part of an Events API request the bot reads. The
// inner event is decoded into a small struct of its own, so a message
// whose blocks slack-go cannot parse is still understood.
type eventCallback struct {
	Type      string     `json:"type"`
	Challenge string     `json:"challenge"`
	TeamID    string     `json:"team_id"`
	EventID   string     `json:"event_id"`
	Event     innerEvent `json:"event"`
}

type innerEvent struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	Inviter     string `json:"inviter"` // member_joined_channel
	Tab         string `json:"tab"`     // app_home_opened: home or messages
	// Files are the files shared with a message (subtype file_share).
	Files []eventFile `json:"files"`
}

// eventFile is the part of a Slack file object the bot keeps: a
// reference, never the bytes.
type eventFile struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Title     string `json:"title"`
	Mimetype  string `json:"mimetype"`
	Size      int64  `json:"size"`
	Permalink string `json:"permalink"`
	// Mode is "tombstone" for a file deleted meanwhile, and
	// "hidden_by_limit" for one the workspace's plan no longer shows.
	Mode string `json:"mode"`
}

// files are the files of a DM message that can be evidence: those Slack
// still shows, by reference. A file shared in the DM also comes as a
// file_shared event; the message is what the bot acts on (it names the
// file, the conversation and the person in one event), so the file is
// not handed in twice.
func (e innerEvent) files() []contract.File {
	var out []contract.File
	for _, f := range e.Files {
		if f.ID == "" || f.Mode == "tombstone" || f.Mode == "hidden_by_limit" {
			continue
		}
		out = append(out, contract.File{ID: f.ID, Name: firstOf(f.Name, f.Title, f.ID), Permalink: f.Permalink, Type: f.Mimetype, Size: f.Size})
	}
	return out
}

// inThread reports whether the event is a reply in a thread (not the
// thread's root).
func (e innerEvent) inThread() bool { return e.ThreadTS != "" && e.ThreadTS != e.TS }

// threadSubtypes are the message subtypes a person's thread reply may
// have: none, "also send to channel", or a file with a comment.
var threadSubtypes = map[string]bool{"": true, "thread_broadcast": true, "file_share": true}

func parseEvent(body []byte) (eventCallback, error) {
	var ec eventCallback
	if err := json.Unmarshal(body, &ec); err != nil {
		return eventCallback{}, fmt.Errorf("event payload: %w", err)
	}
	return ec, nil
}

// inbound returns the turn an event callback starts, or false for events
// the bot does not act on: anything from a bot (itself included), edits,
// deletions and other message subtypes, and top-level channel messages
// that do not mention it.
//
// A thread reply in a channel is a ThreadInput. When it mentions the bot,
// Slack sends it twice, as message and as app_mention: the message is the
// turn and the app_mention is ignored, so the reply counts once (a
// mention at the top level of a channel stays a TextInput).
//
// app_home_opened on the Home tab is a HomeInput.
//
// member_joined_channel is a JoinInput (User is the inviter, when Slack
// names one); joined holds who joined, and the turn runs only when that
// is the bot itself. Other membership events start no turn: see
// membershipChange.
func (ec eventCallback) inbound() (inbound, bool) {
	e := ec.Event
	if ec.Type != slackevents.CallbackEvent || e.User == "" || e.BotID != "" {
		return inbound{}, false
	}
	in := inbound{team: ec.TeamID, event: prefixed("slack:", ec.EventID)}
	kind := conversation.TextInput
	switch slackevents.EventsAPIType(e.Type) {
	case slackevents.Message:
		switch {
		case e.ChannelType == "im" && (e.Subtype == "" || e.Subtype == "file_share"):
		case (e.ChannelType == "channel" || e.ChannelType == "group") && e.inThread() && threadSubtypes[e.Subtype]:
			kind = conversation.ThreadInput
		default:
			return inbound{}, false
		}
	case slackevents.AppMention:
		if e.inThread() {
			return inbound{}, false // the message event of the same reply is the turn
		}
		in.mention = true
	case slackevents.MemberJoinedChannel:
		if e.Channel == "" {
			return inbound{}, false
		}
		in.joined = e.User
		in.input = conversation.Input{Kind: conversation.JoinInput, User: e.Inviter, Channel: e.Channel}
		return in, true
	case slackevents.AppHomeOpened:
		if e.Tab != "" && e.Tab != "home" {
			return inbound{}, false // the Messages tab
		}
		in.input = conversation.Input{Kind: conversation.HomeInput, User: e.User}
		return in, true
	default:
		return inbound{}, false
	}
	in.input = conversation.Input{
		Kind:    kind,
		User:    e.User,
		Channel: e.Channel,
		Text:    fromMrkdwn(e.Text),
		// A mention in a channel is said in public; Slack's direct
		// conversations have ids starting with D.
		Public: in.mention && !strings.HasPrefix(e.Channel, "D"),
	}
	if kind == conversation.ThreadInput {
		in.input.Thread = e.ThreadTS
	} else if e.ChannelType == "im" {
		in.input.Files = e.files()
	}
	return in, true
}

// membershipChange returns the channel whose members changed, for
// member_joined_channel and member_left_channel events.
func (ec eventCallback) membershipChange() (string, bool) {
	e := ec.Event
	if ec.Type != slackevents.CallbackEvent || e.Channel == "" {
		return "", false
	}
	switch slackevents.EventsAPIType(e.Type) {
	case slackevents.MemberJoinedChannel, slackevents.MemberLeftChannel:
		return e.Channel, true
	}
	return "", false
}

// decodeInteraction reads an interactivity payload (the "payload" form
// field, or a Socket Mode interactive envelope). Button clicks and select
// choices become action inputs, modal submissions submit inputs; other
// interactions return an error matching errIgnored.
//
// The event a click stands for is its trigger_id, which Slack makes afresh
// for each interaction. A submission's is its view's id: the bot closes a
// form once a submission is taken (problems are answered before any
// turn), so the same view comes again only when the person submits it
// once more after Slack showed them an error, which finds the first
// submission applied if it was saved after all.
func decodeInteraction(payload []byte) (inbound, error) {
	var ic slackapi.InteractionCallback
	if err := json.Unmarshal(payload, &ic); err != nil {
		return inbound{}, fmt.Errorf("interaction payload: %w", err)
	}
	team := ic.Team.ID
	if team == "" {
		team = ic.User.TeamID
	}
	if ic.User.ID == "" {
		return inbound{}, errors.New("interaction payload: no user")
	}
	switch ic.Type {
	case slackapi.InteractionTypeBlockActions:
		if len(ic.ActionCallback.BlockActions) == 0 || ic.ActionCallback.BlockActions[0] == nil {
			return inbound{}, fmt.Errorf("block_actions without an action: %w", errIgnored)
		}
		act := ic.ActionCallback.BlockActions[0]
		in := conversation.Input{
			Kind:      conversation.ActionInput,
			User:      ic.User.ID,
			Channel:   firstOf(ic.Container.ChannelID, ic.Channel.ID),
			ActionID:  baseActionID(act.ActionID),
			Value:     actionValue(act),
			TriggerID: ic.TriggerID,
		}
		switch ts := firstOf(ic.Container.MessageTs, ic.Message.Timestamp); {
		case ic.Container.IsEphemeral:
			// chat.update cannot reach a message only the clicker
			// sees; its response_url replaces it.
			if ic.ResponseURL != "" {
				in.Source = conversation.MessageRef{Channel: in.Channel, ReplaceURL: ic.ResponseURL}
			}
		case ts != "" && in.Channel != "":
			in.Source = conversation.MessageRef{Channel: in.Channel, TS: ts}
		}
		return inbound{input: in, team: team, event: prefixed("slack:trigger:", ic.TriggerID)}, nil
	case slackapi.InteractionTypeViewSubmission:
		return inbound{input: conversation.Input{
			Kind:        conversation.SubmitInput,
			User:        ic.User.ID,
			CallbackID:  ic.View.CallbackID,
			PrivateData: ic.View.PrivateMetadata,
			Form:        formValues(ic.View.State),
			TriggerID:   ic.TriggerID,
		}, team: team, event: prefixed("slack:view:", ic.View.ID)}, nil
	default:
		return inbound{}, fmt.Errorf("interaction %q: %w", ic.Type, errIgnored)
	}
}

// prefixed is prefix+id, or "" for no id.
func prefixed(prefix, id string) string {
	if id == "" {
		return ""
	}
	return prefix + id
}

// formValues maps each input's id to what was entered or chosen. When a
// form repeats an id, the first field with it wins.
func formValues(s *slackapi.ViewState) map[string]string {
	form := map[string]string{}
	if s == nil {
		return form
	}
	rank := map[string]string{} // base id → the rendered id whose value is kept
	for _, actions := range s.Values {
		for id, a := range actions {
			base := baseActionID(id)
			if kept, ok := rank[base]; ok && !renderedBefore(id, kept) {
				continue
			}
			rank[base] = id
			form[base] = actionValue(&a)
		}
	}
	return form
}

// renderedBefore reports whether action id a came before b, two renderings
// of the same id ("x" before "x#2" before "x#10").
func renderedBefore(a, b string) bool {
	return len(a) < len(b) || (len(a) == len(b) && a < b)
}

// actionValue is what an element carries: a button's value, typed text, or
// the choice made. Check boxes give the values of the options ticked,
// joined by commas in the order Slack lists them.
func actionValue(a *slackapi.BlockAction) string {
	if a.Type == slackapi.ActionType(slackapi.METCheckboxGroups) || len(a.SelectedOptions) > 0 {
		values := make([]string, 0, len(a.SelectedOptions))
		for _, o := range a.SelectedOptions {
			if o.Value != "" {
				values = append(values, o.Value)
			}
		}
		return strings.Join(values, ",")
	}
	return firstOf(a.Value, a.SelectedOption.Value, a.SelectedDate, a.SelectedTime,
		a.SelectedUser, a.SelectedChannel, a.SelectedConversation)
}

// commandInbound reads a slash command. Its text carries the arguments;
// the engine answers an empty one with help.
func commandInbound(c slackapi.SlashCommand) (inbound, error) {
	if c.UserID == "" {
		return inbound{}, errors.New("slash command: no user")
	}
	return inbound{
		team:  c.TeamID,
		event: prefixed("slack:trigger:", c.TriggerID),
		input: conversation.Input{
			Kind:      conversation.CommandInput,
			User:      c.UserID,
			Channel:   c.ChannelID,
			Text:      strings.TrimSpace(fromMrkdwn(c.Text)),
			TriggerID: c.TriggerID,
		},
	}, nil
}

// fromMrkdwn turns text as Slack sends it (mrkdwn with escapes and <…>
// tokens) into plain text: links become their URL, channel and group
// references their name, and entities are unescaped. User mentions stay
// as <@U…>, the form the bot's own renderer also uses for them.
func fromMrkdwn(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		b.WriteString(token(s[i+1 : i+j]))
		s = s[i+j+1:]
	}
	return unescape(b.String())
}

// token reads the inside of one <…> token.
func token(t string) string {
	target, label, hasLabel := strings.Cut(t, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		return "<" + target + ">"
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + label
		}
		return "#" + target[1:]
	case strings.HasPrefix(target, "!"):
		if hasLabel && label != "" {
			return label
		}
		name, _, _ := strings.Cut(target[1:], "^")
		return "@" + name
	case strings.HasPrefix(target, "mailto:"):
		return strings.TrimPrefix(target, "mailto:")
	default:
		return target
	}
}

var unescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

func unescape(s string) string { return unescaper.Replace(s) }

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
