package teams

// Adaptive Card 1.5 elements, as much of the schema as the renderer uses.
// Field order is the order Teams' own samples use, which keeps golden files
// readable.

const (
	cardContentType = "application/vnd.microsoft.card.adaptive"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	cardVersion     = "1.5"
)

type card struct {
	Type    string    `json:"type"`
	Schema  string    `json:"$schema,omitempty"`
	Version string    `json:"version"`
	Body    []any     `json:"body"`
	MSTeams *msteams  `json:"msteams,omitempty"`
	Actions []*action `json:"actions,omitempty"`
}

// msteams carries Teams' extensions: full width, and the mentions inside
// the card (each <at>Name</at> needs an entity here).
type msteams struct {
	Width    string    `json:"width,omitempty"`
	Entities []mention `json:"entities,omitempty"`
}

type mention struct {
	Type      string  `json:"type"`
	Text      string  `json:"text"`
	Mentioned account `json:"mentioned"`
}

type account struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type textBlock struct {
	Type      string `json:"type"`
	ID        string `json:"id,omitempty"`
	Text      string `json:"text"`
	Wrap      bool   `json:"wrap"`
	Size      string `json:"size,omitempty"`
	Weight    string `json:"weight,omitempty"`
	Color     string `json:"color,omitempty"`
	IsSubtle  bool   `json:"isSubtle,omitempty"`
	Spacing   string `json:"spacing,omitempty"`
	Separator bool   `json:"separator,omitempty"`
}

type factSet struct {
	Type      string `json:"type"`
	Facts     []fact `json:"facts"`
	Separator bool   `json:"separator,omitempty"`
}

type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type columnSet struct {
	Type      string    `json:"type"`
	Columns   []*column `json:"columns"`
	Separator bool      `json:"separator,omitempty"`
}

type column struct {
	Type             string `json:"type"`
	Width            string `json:"width"`
	VerticalContentA string `json:"verticalContentAlignment,omitempty"`
	Items            []any  `json:"items"`
}

type actionSet struct {
	Type      string    `json:"type"`
	Actions   []*action `json:"actions"`
	Separator bool      `json:"separator,omitempty"`
}

type action struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	Style string `json:"style,omitempty"`
	URL   string `json:"url,omitempty"`
	Data  any    `json:"data,omitempty"`
	// AssociatedInputs "none" sends no input values (and checks none).
	AssociatedInputs string `json:"associatedInputs,omitempty"`
}

type inputText struct {
	Type         string `json:"type"`
	ID           string `json:"id"`
	Label        string `json:"label,omitempty"`
	Placeholder  string `json:"placeholder,omitempty"`
	Value        string `json:"value,omitempty"`
	IsMultiline  bool   `json:"isMultiline,omitempty"`
	MaxLength    int    `json:"maxLength,omitempty"`
	IsRequired   bool   `json:"isRequired,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	Separator    bool   `json:"separator,omitempty"`
}

type choiceSet struct {
	Type          string   `json:"type"`
	ID            string   `json:"id"`
	Label         string   `json:"label,omitempty"`
	Placeholder   string   `json:"placeholder,omitempty"`
	Style         string   `json:"style,omitempty"`
	IsMultiSelect bool     `json:"isMultiSelect,omitempty"`
	Value         string   `json:"value,omitempty"`
	Choices       []choice `json:"choices"`
	IsRequired    bool     `json:"isRequired,omitempty"`
	ErrorMessage  string   `json:"errorMessage,omitempty"`
	Separator     bool     `json:"separator,omitempty"`
}

type choice struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// Keys of an Action.Submit's data. Teams merges the card's input values
// into it, keyed by input id, so input ids must not use these.
const (
	keyAction   = "lp"        // the button's action id
	keyValue    = "v"         // the button's value
	keySelect   = "lp_sel"    // the id of the choice set whose value is the button's value
	keySubmit   = "lp_submit" // a form's callback id
	keyPrivate  = "pd"        // a form's private data
	keyForm     = "lp_form"   // the id a form card is kept under
	keyCancel   = "lp_cancel" // a form's Cancel: its callback id
	selectInput = "lp_select_"
)

// reserved reports whether an input id would collide with the submit data.
func reserved(id string) bool {
	switch id {
	case keyAction, keyValue, keySelect, keySubmit, keyPrivate, keyForm, keyCancel:
		return true
	}
	return false
}
