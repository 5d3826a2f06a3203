package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// PlanForgetter is implemented by Planners that can drop the work planned
// for contracts that are deleted, and for a person who is forgotten: it
// returns the changes to save.
type PlanForgetter interface {
	ForgetPlans(platform, team, user string, deleted []*contract.Contract, now time.Time) storage.DueChanges
}

// dropPlans saves the changes that drop the work planned for deleted
// contracts (and for user, when not empty).
func (e *Engine) dropPlans(ctx context.Context, key storage.UserKey, deleted []*contract.Contract, now time.Time) error {
	p, ok := e.planner.(PlanForgetter)
	if !ok {
		return nil
	}
	forgotten := ""
	if key.User != "" {
		forgotten = key.User
	}
	ch := p.ForgetPlans(key.Platform, key.Team, forgotten, deleted, now)
	if ch.IsZero() {
		return nil
	}
	if key.User == "" && len(deleted) > 0 {
		key.User = deleted[0].Learner
	}
	if err := e.store.Save(ctx, storage.TurnWrite{User: key, Due: ch}); err != nil {
		return fmt.Errorf("drop planned work: %w", err)
	}
	return nil
}

// ErrNoEraser says the engine was built without Config.Erase.
var ErrNoEraser = errors.New("bot: this store cannot delete data")

// MyData is everything stored about one person, as /contract my-data
// delivers it.
type MyData struct {
	Platform   string    `json:"platform"`
	Team       string    `json:"team,omitempty"`
	User       string    `json:"user"`
	ExportedAt time.Time `json:"exported_at"`
	// Session is the state of their conversation with the bot.
	Session json.RawMessage `json:"session,omitempty"`
	// Contracts are those they are a party to (learner, approver,
	// advocate), whole.
	Contracts []json.RawMessage `json:"contracts"`
	// Elsewhere is what they wrote in other contracts (peer feedback,
	// reviews), by contract id.
	Elsewhere map[string][]any `json:"elsewhere,omitempty"`
	// Documents are the other records that name them (learning sets,
	// platform references), by key.
	Documents map[string]json.RawMessage `json:"documents,omitempty"`
}

// ExportMyData gathers everything stored about user on the platform and
// team, as JSON.
func (e *Engine) ExportMyData(ctx context.Context, platform, team, user string) ([]byte, error) {
	if e.erase == nil {
		return nil, ErrNoEraser
	}
	key := storage.UserKey{Platform: platform, Team: team, User: user}
	out := MyData{Platform: platform, Team: team, User: user, ExportedAt: e.now().UTC(),
		Contracts: []json.RawMessage{}, Elsewhere: map[string][]any{}, Documents: map[string]json.RawMessage{}}
	snap, err := e.store.Load(ctx, key, "", "")
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	if json.Valid(snap.Session) {
		out.Session = snap.Session
	}
	s := newScrubber(user)
	err = e.erase.EachContract(ctx, func(id string, data []byte, _ int64) error {
		c, doc, ok := decodeFor(data, platform, team)
		if !ok || !s.mentions(doc) {
			return nil
		}
		if slices.Contains(c.Parties(), user) {
			out.Contracts = append(out.Contracts, json.RawMessage(data))
		} else if words := s.authored(doc, nil); len(words) > 0 {
			out.Elsewhere[id] = words
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("gather contracts: %w", err)
	}
	err = e.eachDoc(ctx, s, func(k string, data []byte, _ int64) error {
		out.Documents[k] = json.RawMessage(data)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(out, "", "  ")
}

// decodeFor decodes a stored contract of the platform and team, as a
// Contract and as generic JSON.
func decodeFor(data []byte, platform, team string) (*contract.Contract, any, bool) {
	c := new(contract.Contract)
	if err := json.Unmarshal(data, c); err != nil || c.Platform != "" && c.Platform != platform || c.Team != team {
		return nil, nil, false
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, false
	}
	return c, doc, true
}

// eachDoc calls fn with every document that names the person (in its key
// or its data).
func (e *Engine) eachDoc(ctx context.Context, s scrubber, fn func(key string, data []byte, rev int64) error) error {
	if e.docs == nil {
		return nil
	}
	keys, err := e.erase.DocKeys(ctx, "")
	if err != nil {
		return fmt.Errorf("list documents: %w", err)
	}
	for _, k := range keys {
		data, rev, err := e.docs.Doc(ctx, k)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read document %q: %w", k, err)
		}
		var doc any
		if s.mentions(k) || json.Unmarshal(data, &doc) == nil && s.mentions(doc) {
			if err := fn(k, data, rev); err != nil {
				return err
			}
		}
	}
	return nil
}

// forgottenKey keeps the anonymous counts of what forgetting people
// deleted, per platform and team, for reports.
func forgottenKey(platform, team string) string { return "privacy:forgotten:" + platform + ":" + team }

// Forgotten are the anonymous counts kept of deleted contracts.
type Forgotten struct {
	People    int            `json:"people"`
	Contracts map[string]int `json:"contracts"` // by status when deleted
}

// ForgetUser deletes everything stored about user on the platform and
// team: their session and contract list, the contracts they are the
// learner of and the unsent drafts they write for others, their words in other contracts and documents (where they
// become message.FormerColleague), and the work planned for them. Only
// anonymous counts remain (Forgotten).
func (e *Engine) ForgetUser(ctx context.Context, platform, team, user string) error {
	if e.erase == nil {
		return ErrNoEraser
	}
	if user == "" || user == message.FormerColleague {
		return errors.New("bot: forget: no user")
	}
	now := e.now()
	s := newScrubber(user)
	var own, others []string
	err := e.erase.EachContract(ctx, func(id string, data []byte, _ int64) error {
		c, doc, ok := decodeFor(data, platform, team)
		switch {
		case !ok || !s.mentions(doc):
		case c.Learner == user, c.Drafter() == user:
			// Their own contracts, and drafts they write for someone
			// who has not seen them yet (no one else could open them).
			own = append(own, id)
		default:
			others = append(others, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget: find contracts: %w", err)
	}
	var deleted []*contract.Contract
	counts := map[string]int{}
	for _, id := range own {
		c, err := LoadContractOf(ctx, e.store, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("forget: %w", err)
		}
		if err := e.erase.DeleteContract(ctx, id, partiesOf(storage.UserKey{Platform: platform, Team: team}, c)); err != nil {
			return fmt.Errorf("forget: %w", err)
		}
		deleted = append(deleted, c)
		counts[string(c.Status)]++
	}
	for _, id := range others {
		if err := e.scrubContract(ctx, platform, team, id, s, now); err != nil {
			return fmt.Errorf("forget: %w", err)
		}
	}
	if err := e.dropPlans(ctx, storage.UserKey{Platform: platform, Team: team, User: user}, deleted, now); err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	err = e.eachDoc(ctx, s, func(k string, _ []byte, _ int64) error {
		if s.mentions(k) {
			return e.erase.DeleteDoc(ctx, k)
		}
		_, err := storage.UpdateDoc(ctx, e.docs, k, func(v *any, exists bool) (bool, error) {
			if !exists || !s.mentions(*v) {
				return false, nil
			}
			*v = s.scrub(*v, true)
			return true, nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("forget: documents: %w", err)
	}
	if err := e.erase.DeleteUser(ctx, storage.UserKey{Platform: platform, Team: team, User: user}); err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	if e.docs != nil {
		_, err = storage.UpdateDoc(ctx, e.docs, forgottenKey(platform, team), func(f *Forgotten, _ bool) (bool, error) {
			f.People++
			if f.Contracts == nil {
				f.Contracts = map[string]int{}
			}
			for st, n := range counts {
				f.Contracts[st] += n
			}
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("forget: counts: %w", err)
		}
	}
	e.log(ctx).Info("a person's data was deleted at their request", "platform", platform, "contracts_deleted", len(deleted), "contracts_changed", len(others))
	return nil
}

// scrubContract removes the person from someone else's contract, and
// brings its planned work in line, in one save.
func (e *Engine) scrubContract(ctx context.Context, platform, team, id string, s scrubber, now time.Time) error {
	var before *contract.Contract
	_, err := storage.Update(ctx,
		func(ctx context.Context) ([]byte, int64, error) { return e.store.Contract(ctx, id) },
		func(ctx context.Context, v *any, data []byte, rev int64) error {
			after := new(contract.Contract)
			if err := json.Unmarshal(data, after); err != nil {
				return err
			}
			key := storage.UserKey{Platform: platform, Team: team, User: after.Learner}
			ch, err := e.plan(ctx, TurnOutcome{Platform: platform, Team: team, Before: before, After: after, Now: now})
			if err != nil {
				return err
			}
			err = e.store.Save(ctx, storage.TurnWrite{User: key, Due: ch,
				Contract: &storage.ContractWrite{ID: id, Data: data, Rev: rev, Users: partiesOf(key, after)}})
			if err == nil {
				e.syncExample(ctx, platform, team, before, after)
			}
			return err
		},
		func(v *any, exists bool) (bool, error) {
			if !exists || !s.mentions(*v) {
				return false, nil
			}
			raw, _ := json.Marshal(*v)
			before = new(contract.Contract)
			if err := json.Unmarshal(raw, before); err != nil {
				return false, err
			}
			*v = s.scrub(*v, true)
			return true, nil
		})
	return err
}

// LoadContractOf reads and decodes one contract.
func LoadContractOf(ctx context.Context, s storage.Store, id string) (*contract.Contract, error) {
	data, rev, err := s.Contract(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load contract %s: %w", id, err)
	}
	c := new(contract.Contract)
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("decode contract %s: %w", id, err)
	}
	c.Rev = rev
	return c, nil
}

// RetainClosed deletes the contracts of every platform that closed
// (completed or withdrawn) more than age before now, and the work planned
// for them, and returns how many it deleted.
func (e *Engine) RetainClosed(ctx context.Context, age time.Duration) (int, error) {
	if e.erase == nil {
		return 0, ErrNoEraser
	}
	now := e.now()
	var old []*contract.Contract
	err := e.erase.EachContract(ctx, func(id string, data []byte, rev int64) error {
		c := new(contract.Contract)
		if json.Unmarshal(data, c) != nil {
			return nil
		}
		if (c.Status == contract.Completed || c.Status == contract.Withdrawn) && !c.UpdatedAt.IsZero() && now.Sub(c.UpdatedAt) > age {
			c.Rev = rev
			old = append(old, c)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	for _, c := range old {
		key := storage.UserKey{Platform: c.Platform, Team: c.Team}
		if err := e.erase.DeleteContract(ctx, c.ID, partiesOf(key, c)); err != nil {
			return 0, fmt.Errorf("retention: %w", err)
		}
		if err := e.dropPlans(ctx, key, []*contract.Contract{c}, now); err != nil {
			return 0, fmt.Errorf("retention: %s: %w", c.ID, err)
		}
	}
	if len(old) > 0 {
		e.log(ctx).Info("closed contracts deleted after the retention period", "contracts", len(old), "older_than", age.String())
	}
	return len(old), nil
}

// exportData carries out a conversation.ExportData: the file where the
// platform sends files, else the JSON in messages.
func (e *Engine) exportData(ctx context.Context, t Turn, ef conversation.ExportData) error {
	data, err := e.ExportMyData(ctx, t.Platform.Name(), t.Team, ef.User)
	if err != nil {
		return err
	}
	file := myDataFile(data, e.now(), ef.Comment)
	name := file.Name
	if f, ok := t.Platform.(Filer); ok {
		err := f.SendFile(ctx, ef.User, file)
		if err == nil {
			return nil
		}
		e.log(ctx).Error("data file not sent as a file, sending it in messages", "user", ef.User, "err", err)
	}
	if _, err := t.Platform.SendDM(ctx, ef.User, ef.Comment); err != nil {
		return err
	}
	for _, part := range chunks(string(data), maxInlineData) {
		m := message.Message{Summary: name, Blocks: []message.Block{message.Section{Text: message.T(message.Code(part))}}}
		if _, err := t.Platform.SendDM(ctx, ef.User, m); err != nil {
			return err
		}
	}
	return nil
}

// myDataFile is a person's data as a JSON file.
func myDataFile(data []byte, now time.Time, comment message.Message) File {
	return File{Name: "learnpact-my-data-" + now.UTC().Format("2006-01-02") + ".json",
		Title: "Everything learnpact keeps about you", Data: data, Comment: comment, FileRef: FileRef{Kind: FileMyData}}
}

// maxInlineData is how much of the data file one message carries where
// files cannot be sent.
const maxInlineData = 2800

// chunks cuts s into pieces of at most n bytes, at line ends where it can.
func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		cut := strings.LastIndexByte(s[:n], '\n')
		if cut <= 0 {
			cut = n
		}
		out = append(out, s[:cut])
		s = strings.TrimPrefix(s[cut:], "\n")
	}
	return append(out, s)
}

// forget carries out a conversation.Forget, then tells the person, directly
// where the platform can: nothing about them is left to queue it in.
func (e *Engine) forget(ctx context.Context, t Turn, ef conversation.Forget) error {
	if err := e.ForgetUser(ctx, t.Platform.Name(), t.Team, ef.User); err != nil {
		return err
	}
	send := t.Platform.SendDM
	if d, ok := t.Platform.(Direct); ok {
		send = d.SendDMNow
	}
	_, err := send(ctx, ef.User, ef.Done)
	return err
}
