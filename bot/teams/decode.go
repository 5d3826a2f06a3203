package teams

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// activity is the part of an incoming activity the bot reads. The
// library's schema.Activity drops every entity field but the type (which
// mentions and the client's time zone need), so activities are decoded
// into this small struct; accounts use the library's types.
type activity struct {
	Type           string                     `json:"type"`
	ID             string                     `json:"id"`
	Name           string                     `json:"name"`
	Action         string                     `json:"action"`
	ServiceURL     string                     `json:"serviceUrl"`
	ChannelID      string                     `json:"channelId"`
	LocalTimezone  string                     `json:"localTimezone"`
	From           schema.ChannelAccount      `json:"from"`
	Recipient      schema.ChannelAccount      `json:"recipient"`
	Conversation   schema.ConversationAccount `json:"conversation"`
	MembersAdded   []schema.ChannelAccount    `json:"membersAdded"`
	MembersRemoved []schema.ChannelAccount    `json:"membersRemoved"`
	Text           string                     `json:"text"`
	ReplyToID      string                     `json:"replyToId"`
	Value          json.RawMessage            `json:"value"`
	Entities       []entity                   `json:"entities"`
	ChannelData    channelData                `json:"channelData"`
	Attachments    []sentFile                 `json:"attachments"`
}

// sentFile is an attachment of an incoming message: a file, or other
// content.
type sentFile struct {
	ContentType string          `json:"contentType"`
	ContentURL  string          `json:"contentUrl"`
	Name        string          `json:"name"`
	Content     json.RawMessage `json:"content"`
}

// fileDownloadInfo is the content type of a file a person sends the bot
// in a personal chat (the app package's supportsFiles).
const fileDownloadInfo = "application/vnd.microsoft.teams.file.download.info"

// files are the files sent with a personal-chat message, by reference:
// the file's unique id, its name, its type and its link in the sender's
// OneDrive (contentUrl). The short-lived downloadUrl, which hands out the
// bytes, is not kept.
func (act *activity) files() []contract.File {
	var out []contract.File
	for _, a := range act.Attachments {
		if a.ContentType != fileDownloadInfo {
			continue
		}
		var info struct {
			UniqueID string `json:"uniqueId"`
			FileType string `json:"fileType"`
		}
		if len(a.Content) > 0 {
			_ = json.Unmarshal(a.Content, &info) // a malformed content keeps the name and link
		}
		id := firstNonEmpty(info.UniqueID, a.ContentURL)
		if id == "" {
			continue
		}
		out = append(out, contract.File{ID: id, Name: firstNonEmpty(a.Name, "file"), Permalink: a.ContentURL, Type: info.FileType})
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

type entity struct {
	Type      string                 `json:"type"`
	Text      string                 `json:"text"`
	Mentioned *schema.ChannelAccount `json:"mentioned"`
	Timezone  string                 `json:"timezone"`
}

type channelData struct {
	Tenant  *idName `json:"tenant"`
	Team    *idName `json:"team"`
	Channel *idName `json:"channel"`
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// tenant is the activity's tenant id.
func (act *activity) tenant() string {
	if act.Conversation.TenantID != "" {
		return act.Conversation.TenantID
	}
	if act.ChannelData.Tenant != nil {
		return act.ChannelData.Tenant.ID
	}
	return ""
}

// timezone is the time zone the user's client reported, if any.
func (act *activity) timezone() string {
	if act.LocalTimezone != "" {
		return act.LocalTimezone
	}
	for _, e := range act.Entities {
		if e.Type == "clientInfo" && e.Timezone != "" {
			return e.Timezone
		}
	}
	return ""
}

// What a decoded activity asks of the adapter.
type intent int

const (
	ignore     intent = iota
	turn              // run input as a turn
	unknown           // a card the bot did not make: answer so
	removed           // the app was uninstalled from the conversation
	cancelForm        // a form card's Cancel: close the card, send nothing
)

// How an invoke activity is answered, in the HTTP response itself.
type invokeKind int

const (
	notInvoke   invokeKind = iota
	cardAction             // adaptiveCard/action: a card's Action.Execute
	unsupported            // an invoke the bot does not offer
	badInvoke              // an adaptiveCard/action it cannot read
	fileConsent            // fileConsent/invoke: the answer to a file consent card
)

// inbound is one decoded activity.
type inbound struct {
	act    activity
	intent intent
	input  conversation.Input
	// form is the id a submitted form card is kept under.
	form string
	// owner is whose form a Cancel click closes ("" when not known).
	owner string
	// invoke says how an invoke activity is answered.
	invoke invokeKind
	// rosterChanged is set when members joined or left the conversation.
	rosterChanged bool
}

var errMalformed = errors.New("malformed activity")

// decode reads an activity into the turn it starts.
func decode(body []byte) (inbound, error) {
	var act activity
	if err := json.Unmarshal(body, &act); err != nil {
		return inbound{}, fmt.Errorf("%w: %v", errMalformed, err)
	}
	if act.Type == "" || act.ServiceURL == "" || act.Conversation.ID == "" {
		return inbound{}, fmt.Errorf("%w: type, serviceUrl and conversation are required", errMalformed)
	}
	in := inbound{act: act}
	switch act.Type {
	case "message":
		// Nothing from bots: Teams gives them "28:" ids.
		if act.From.ID == "" || act.From.ID == act.Recipient.ID || strings.HasPrefix(act.From.ID, "28:") || act.From.Role == "bot" {
			return in, nil
		}
		if len(act.Value) > 0 && string(act.Value) != "null" {
			return decodeCard(in)
		}
		return decodeText(in), nil
	case "conversationUpdate":
		in.rosterChanged = len(act.MembersAdded)+len(act.MembersRemoved) > 0
		return decodeJoin(in), nil
	case "installationUpdate":
		if strings.HasPrefix(act.Action, "remove") {
			in.intent = removed
		}
		return in, nil
	case "invoke":
		return decodeInvoke(in)
	}
	return in, nil
}

// decodeInvoke reads an invoke. Cards use Action.Submit, whose clicks
// arrive as messages; an Action.Execute (Universal Actions, from clients
// or cards that send them) arrives as adaptiveCard/action with the same
// data and is run the same way. A fileConsent/invoke answers a file
// consent card (see files.go). Other invokes are not offered.
func decodeInvoke(in inbound) (inbound, error) {
	if in.act.Name == "fileConsent/invoke" && in.act.From.ID != "" && in.act.From.ID != in.act.Recipient.ID {
		in.invoke = fileConsent
		return in, nil
	}
	if in.act.Name != "adaptiveCard/action" {
		in.invoke = unsupported
		return in, nil
	}
	var v struct {
		Action struct {
			Verb string         `json:"verb"`
			Data map[string]any `json:"data"`
		} `json:"action"`
	}
	if err := json.Unmarshal(in.act.Value, &v); err != nil || (v.Action.Data == nil && v.Action.Verb == "") {
		in.invoke = badInvoke
		return in, nil
	}
	data := v.Action.Data
	if data == nil {
		data = map[string]any{}
	}
	if _, ok := data[keyAction]; !ok && v.Action.Verb != "" {
		data[keyAction] = v.Action.Verb
	}
	value, err := json.Marshal(data)
	if err != nil {
		in.invoke = badInvoke
		return in, nil
	}
	in.act.Value = value
	in.invoke = cardAction
	if in.act.From.ID == "" || in.act.From.ID == in.act.Recipient.ID {
		return in, nil
	}
	return decodeCard(in)
}

// decodeText reads a typed message: in a personal or group chat a text
// turn, in a channel thread a thread turn.
func decodeText(in inbound) inbound {
	act := in.act
	text := mentionsToIDs(act.Text, act.Entities, act.Recipient.ID)
	channel, root := baseConversation(act.Conversation.ID)
	in.intent = turn
	in.input = conversation.Input{Kind: conversation.TextInput, User: act.From.ID, Channel: act.Conversation.ID, Text: text}
	if act.Conversation.ConversationType == "personal" || act.Conversation.ConversationType == "" {
		in.input.Files = act.files()
	}
	switch act.Conversation.ConversationType {
	case "channel", "groupChat":
		in.input.Public = true // others see what is said there
	}
	if act.Conversation.ConversationType == "channel" {
		if channel == "" {
			in.intent = ignore // ";messageid=…" names no channel
			return in
		}
		in.input.Channel = channel
		if root != "" {
			in.input.Kind, in.input.Thread, in.input.Public = conversation.ThreadInput, root, false
		}
	}
	return in
}

// decodeCard reads a card's Action.Submit: a button (its data carries the
// action id and value), a select's choice, or a form's submission.
func decodeCard(in inbound) (inbound, error) {
	act := in.act
	var data map[string]any
	if err := json.Unmarshal(act.Value, &data); err != nil {
		// A value that is not an object comes from a card of someone else.
		in.intent = unknown
		return in, nil
	}
	src := conversation.MessageRef{}
	if act.ReplyToID != "" {
		src = conversation.MessageRef{Channel: act.Conversation.ID, TS: act.ReplyToID}
	}
	// In a channel the card sits in a thread ("19:…;messageid=ROOT"):
	// the input names the channel, the source the thread, so updates and
	// forms stay in the thread.
	channel := act.Conversation.ID
	if act.Conversation.ConversationType == "channel" {
		channel, _ = baseConversation(channel)
	}
	base := conversation.Input{User: act.From.ID, Channel: channel, Source: src,
		TriggerID: trigger(act.Conversation.ID, act.ReplyToID, act.From.ID)}
	if owner, ok := data[keyCancel].(string); ok {
		in.intent, in.input, in.owner = cancelForm, base, owner
		return in, nil
	}
	if cb, ok := data[keySubmit].(string); ok {
		base.Kind, base.CallbackID = conversation.SubmitInput, cb
		base.PrivateData, _ = data[keyPrivate].(string)
		in.form, _ = data[keyForm].(string)
		base.Form = map[string]string{}
		for k, v := range data {
			if reserved(k) || strings.HasPrefix(k, selectInput) {
				continue
			}
			base.Form[k] = stringOf(v)
		}
		in.intent, in.input = turn, base
		return in, nil
	}
	id, ok := data[keyAction].(string)
	if !ok || id == "" {
		in.intent = unknown
		return in, nil
	}
	base.Kind, base.ActionID = conversation.ActionInput, id
	base.Value, _ = data[keyValue].(string)
	if sel, ok := data[keySelect].(string); ok {
		base.Value = stringOf(data[sel])
	}
	in.intent, in.input = turn, base
	return in, nil
}

// trigger is what a click gives OpenModal: where to post the form, the
// card it came from and who clicked (whose form it is).
func trigger(conv, replyTo, user string) string {
	return conv + "|" + replyTo + "|" + user
}

func parseTrigger(t string) (conv, replyTo, user string) {
	conv, rest, _ := strings.Cut(t, "|")
	replyTo, user, _ = strings.Cut(rest, "|")
	return conv, replyTo, user
}

func stringOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// decodeJoin reads a conversationUpdate: the bot added to a personal chat
// is greeted; added to a team or channel, it starts a join turn.
func decodeJoin(in inbound) inbound {
	act := in.act
	added := false
	for _, m := range act.MembersAdded {
		if m.ID != "" && m.ID == act.Recipient.ID {
			added = true
		}
	}
	if !added {
		return in
	}
	switch act.Conversation.ConversationType {
	case "personal":
		if act.From.ID == "" {
			return in
		}
		in.intent = turn
		in.input = conversation.Input{Kind: conversation.TextInput, User: act.From.ID, Channel: act.Conversation.ID, Text: "hi"}
	case "channel":
		channel, _ := baseConversation(act.Conversation.ID)
		if act.ChannelData.Channel != nil && act.ChannelData.Channel.ID != "" {
			channel = act.ChannelData.Channel.ID
		}
		in.intent = turn
		in.input = conversation.Input{Kind: conversation.JoinInput, User: act.From.ID, Channel: channel}
	}
	return in
}

var atTag = regexp.MustCompile(`(?s)<at[^>]*>(.*?)</at>`)

var htmlTag = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)

// mentionsToIDs turns Teams' message text into plain text: the bot's own
// mention is removed, other mentions become <@ID> (the form conversations
// read), markup is dropped and entities unescaped.
func mentionsToIDs(text string, entities []entity, botID string) string {
	byText := map[string]string{}
	for _, e := range entities {
		if e.Type == "mention" && e.Mentioned != nil && e.Text != "" {
			byText[e.Text] = e.Mentioned.ID
		}
	}
	text = atTag.ReplaceAllStringFunc(text, func(tag string) string {
		id, ok := byText[tag]
		switch {
		case !ok:
			return atTag.FindStringSubmatch(tag)[1]
		case id == botID:
			return ""
		default:
			return "<@" + id + ">"
		}
	})
	// Keep the <@ID> tokens while dropping other markup.
	text = htmlTag.ReplaceAllStringFunc(text, func(tag string) string {
		switch strings.ToLower(tag) {
		case "<br>", "<br/>", "<br />", "</p>", "</div>":
			return "\n"
		}
		return ""
	})
	return strings.TrimSpace(html.UnescapeString(text))
}
