package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
)

// choiceModal has check boxes (two ticked at first) and radio buttons
// (one chosen at first).
func choiceModal() slackapi.ModalViewRequest {
	opts := func(values ...string) []*slackapi.OptionBlockObject {
		var out []*slackapi.OptionBlockObject
		for _, v := range values {
			out = append(out, slackapi.NewOptionBlockObject(v, plain(strings.ToUpper(v)), nil))
		}
		return out
	}
	cb := slackapi.NewCheckboxGroupsBlockElement("strengths", opts("goals", "evidence", "criteria")...)
	cb.InitialOptions = opts("criteria", "goals")
	rb := slackapi.NewRadioButtonsBlockElement("ready", opts("yes", "no")...)
	rb.InitialOption = opts("no")[0]
	return modal("Feedback",
		slackapi.NewInputBlock("strengths", plain("What works?"), nil, cb),
		slackapi.NewInputBlock("ready", plain("Ready?"), nil, rb))
}

// submittedState submits values and returns the view_submission's state
// as slack-go reads it, and as raw JSON.
func submittedState(t *testing.T, e *env, values map[string]string) (*slackapi.ViewState, map[string]any) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, PeerPat), choiceModal()); err != nil {
		t.Fatalf("views.open: %v", err)
	}
	if err := e.w.Submit(ctx, PeerPat, values); err != nil {
		t.Fatalf("submit %v: %v", values, err)
	}
	d := e.bot.last(t)
	cb, err := slackapi.InteractionCallbackParse(d.req)
	if err != nil || cb.Type != slackapi.InteractionTypeViewSubmission {
		t.Fatalf("view_submission: %+v, %v", cb.Type, err)
	}
	var raw struct {
		View struct {
			State map[string]any `json:"state"`
		} `json:"view"`
	}
	form, err := url.ParseQuery(string(d.Body))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(form.Get("payload")), &raw); err != nil {
		t.Fatal(err)
	}
	return cb.View.State, raw.View.State
}

func optionValues(os []slackapi.OptionBlockObject) string {
	var vs []string
	for _, o := range os {
		vs = append(vs, o.Value)
	}
	return strings.Join(vs, ",")
}

func TestSubmitChoices(t *testing.T) {
	e := newEnv(t)
	// Untouched, the initial options are sent.
	st, raw := submittedState(t, e, nil)
	strengths, ready := st.Values["strengths"]["strengths"], st.Values["ready"]["ready"]
	if strengths.Type != "checkboxes" || optionValues(strengths.SelectedOptions) != "criteria,goals" {
		t.Errorf("initial check boxes = %+v", strengths)
	}
	if ready.Type != "radio_buttons" || ready.SelectedOption.Value != "no" {
		t.Errorf("initial radio = %+v", ready)
	}
	// Slack's shape: options with their text.
	want := `{"selected_options":[{"text":{"emoji":false,"text":"CRITERIA","type":"plain_text"},"value":"criteria"},{"text":{"emoji":false,"text":"GOALS","type":"plain_text"},"value":"goals"}],"type":"checkboxes"}`
	if got := string(encodeJSON(raw["values"].(map[string]any)["strengths"].(map[string]any)["strengths"])); got != want {
		t.Errorf("check boxes state = %s\nwant %s", got, want)
	}

	st, _ = submittedState(t, e, map[string]string{"strengths": "evidence,goals", "ready": "yes"})
	if got := optionValues(st.Values["strengths"]["strengths"].SelectedOptions); got != "evidence,goals" {
		t.Errorf("ticked = %q", got)
	}
	if got := st.Values["ready"]["ready"].SelectedOption.Value; got != "yes" {
		t.Errorf("chosen = %q", got)
	}

	ctx := context.Background()
	if _, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, PeerPat), choiceModal()); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Submit(ctx, PeerPat, map[string]string{"strengths": "goals,nosuch"}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("an unknown option: %v", err)
	}
	n := len(e.bot.deliveries())
	if err := e.w.Submit(ctx, PeerPat, map[string]string{"strengths": ""}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("required check boxes left empty: %v", err)
	}
	if v, _ := e.w.OpenModal(PeerPat); v.Errors["strengths"] == "" || len(e.bot.deliveries()) != n {
		t.Errorf("empty required check boxes: errors %v, %d deliveries", v.Errors, len(e.bot.deliveries())-n)
	}
}

func TestChoiceValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var many []*slackapi.OptionBlockObject
	for i := range 11 {
		many = append(many, slackapi.NewOptionBlockObject(fmt.Sprint(i), plain(fmt.Sprint("Option ", i)), nil))
	}
	tooMany := slackapi.NewCheckboxGroupsBlockElement("x", many...)
	badInitial := slackapi.NewRadioButtonsBlockElement("y", many[:2]...)
	badInitial.InitialOption = slackapi.NewOptionBlockObject("9", plain("Option 9"), nil)
	none := slackapi.NewRadioButtonsBlockElement("z")
	for name, el := range map[string]slackapi.BlockElement{"11 options": tooMany, "initial not an option": badInitial, "no options": none} {
		_, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, PeerPat), modal("Bad", slackapi.NewInputBlock("b", plain("B"), nil, el)))
		if got := slackErr(t, err); got != "invalid_arguments" {
			t.Errorf("%s: %q, want invalid_arguments", name, got)
		}
	}
	ten := slackapi.NewCheckboxGroupsBlockElement("x", many[:10]...)
	if _, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, PeerPat), modal("Fine", slackapi.NewInputBlock("b", plain("B"), nil, ten))); err != nil {
		t.Errorf("ten check boxes refused: %v", err)
	}
}

// A multi-select menu (a Multi choice of more than ten options) is
// submitted like check boxes: the options picked, in Slack's shape; the
// initial ones when untouched; an unknown option is refused.
func TestSubmitMultiSelect(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var opts []*slackapi.OptionBlockObject
	for i := range 12 {
		opts = append(opts, slackapi.NewOptionBlockObject(fmt.Sprint("a", i+1), plain(fmt.Sprint("Activity ", i+1)), nil))
	}
	ms := slackapi.NewOptionsMultiSelectBlockElement(slackapi.MultiOptTypeStatic, plain("Choose any"), "activities", opts...)
	ms.InitialOptions = opts[1:2]
	view := modal("Template", slackapi.NewInputBlock("activities", plain("Activities"), nil, ms))
	submit := func(values map[string]string) slackapi.BlockAction {
		t.Helper()
		if _, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, PeerPat), view); err != nil {
			t.Fatalf("views.open with a multi-select: %v", err)
		}
		if err := e.w.Submit(ctx, PeerPat, values); err != nil {
			t.Fatalf("submit %v: %v", values, err)
		}
		cb, err := slackapi.InteractionCallbackParse(e.bot.last(t).req)
		if err != nil {
			t.Fatal(err)
		}
		return cb.View.State.Values["activities"]["activities"]
	}
	if got := submit(nil); got.Type != "multi_static_select" || optionValues(got.SelectedOptions) != "a2" {
		t.Errorf("untouched: %+v", got)
	}
	if got := submit(map[string]string{"activities": "a12,a3"}); optionValues(got.SelectedOptions) != "a12,a3" {
		t.Errorf("picked: %q", optionValues(got.SelectedOptions))
	}
	if _, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, PeerPat), view); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Submit(ctx, PeerPat, map[string]string{"activities": "a1,a99"}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("an unknown option: %v", err)
	}
}
