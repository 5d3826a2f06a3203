package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/library"
	"github.com/learnpact/learnpact/storage"
)

// The library of past contracts. Its index is kept in the store
// (storage.Library), per team, rather than in a full-text library's files
// beside each process: the replicas share one Redis, and a learner who
// withdraws consent must drop out of every replica's search at once. The
// engine indexes a contract in the turn that saves it shared (and drops it
// in the turn that stops sharing it), and every search checks each hit
// against the contract as stored now before showing it: a hit whose
// contract is no longer shared, or no longer exists, is never shown, even
// if a process died between saving the contract and updating the index.

// libraryTeam names a team's index in the store.
func libraryTeam(platform, team string) string { return platform + ":" + team }

// settled is how long after its last change a contract that is no longer
// shared is taken to have been left in the index by mistake: a search
// never drops the entry of a contract changed more recently, which a turn
// sharing it again may have just indexed.
const settled = time.Minute

// maxChecked bounds the contracts a search reads to fill limit examples.
func maxChecked(limit int) int { return 4*limit + 10 }

// syncExample brings the index in step with a contract just saved: indexed
// while shared, dropped otherwise. before is the contract as the turn
// loaded it (nil for none): a contract that neither is nor was shared is
// left alone.
func (e *Engine) syncExample(ctx context.Context, platform, team string, before, after *contract.Contract) {
	if e.library == nil || after == nil || !after.Shared() && (before == nil || !before.Shared()) {
		return
	}
	if err := e.indexExample(ctx, platform, team, after); err != nil {
		e.log(ctx).Error("library index not updated", "contract", after.ID, "err", err)
	}
}

// indexExample indexes a contract if it is shared, else drops it.
func (e *Engine) indexExample(ctx context.Context, platform, team string, c *contract.Contract) error {
	ex, ok := library.ExampleOf(c)
	if !ok {
		return e.library.DropExample(ctx, c.ID)
	}
	return e.library.IndexExample(ctx, libraryTeam(platform, team), c.ID, capTerms(ex.Terms()))
}

// RepairLibrary indexes again every shared contract in the store, for the
// daily housekeeping: a process that died between saving a contract
// shared and indexing it left it out of searches, and this puts it back
// within a day. Entries of contracts no longer shared are dropped by the
// searches that meet them (see settled). It reports how many contracts it
// indexed.
func (e *Engine) RepairLibrary(ctx context.Context) (int, error) {
	if e.library == nil || e.erase == nil {
		return 0, nil
	}
	var shared []*contract.Contract
	err := e.erase.EachContract(ctx, func(id string, data []byte, _ int64) error {
		c := new(contract.Contract)
		if json.Unmarshal(data, c) == nil && c.Shared() {
			shared = append(shared, c)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("library repair: %w", err)
	}
	for _, c := range shared {
		if err := e.indexExample(ctx, c.Platform, c.Team, c); err != nil {
			return 0, fmt.Errorf("library repair: %s: %w", c.ID, err)
		}
	}
	return len(shared), nil
}

// capTerms keeps the storage.MaxExampleTerms most frequent terms.
func capTerms(terms map[string]int) map[string]int {
	if len(terms) <= storage.MaxExampleTerms {
		return terms
	}
	keys := slices.SortedFunc(maps.Keys(terms), func(a, b string) int {
		if c := cmp.Compare(terms[b], terms[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := make(map[string]int, storage.MaxExampleTerms)
	for _, k := range keys[:storage.MaxExampleTerms] {
		out[k] = terms[k]
	}
	return out
}

// exampleOf is the example a stored contract is for searches of the team,
// if it is one: completed, shared and of that team.
func exampleOf(c *contract.Contract, platform, team string) (library.Example, bool) {
	if c == nil || c.Team != team || c.Platform != "" && c.Platform != platform {
		return library.Example{}, false
	}
	return library.ExampleOf(c)
}

// examples runs a search of the library a turn needs: the example to open,
// or the best matches of the query, each checked against its contract as
// stored now. A query that does not parse finds nothing (the dialog says
// why).
func (e *Engine) examples(ctx context.Context, platform, team string, need conversation.ExampleNeed) ([]library.Example, error) {
	out := []library.Example{}
	if e.library == nil || need.Limit <= 0 {
		return out, nil
	}
	if need.Open != "" {
		c, err := LoadContractOf(ctx, e.store, need.Open)
		if errors.Is(err, storage.ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if ex, ok := exampleOf(c, platform, team); ok {
			out = append(out, ex)
		}
		return out, nil
	}
	q, err := library.ParseQuery(need.Query)
	if err != nil {
		return out, nil
	}
	ix, err := e.library.LibraryTerms(ctx, libraryTeam(platform, team), q.Terms)
	if err != nil {
		return nil, fmt.Errorf("search the library: %w", err)
	}
	hits := library.Rank(rankIndex(ix), q.Terms, 0)
	for i, h := range hits {
		if len(out) == need.Limit || i == maxChecked(need.Limit) {
			break
		}
		c, err := LoadContractOf(ctx, e.store, h.ID)
		if errors.Is(err, storage.ErrNotFound) {
			// Deleted since it was indexed: drop it for the next search.
			if err := e.library.DropExample(ctx, h.ID); err != nil {
				e.log(ctx).Warn("stale library entry not dropped", "contract", h.ID, "err", err)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		ex, ok := exampleOf(c, platform, team)
		if !ok && e.now().Sub(c.UpdatedAt) > settled {
			// No longer shared, and not just now: its turn did not get
			// to drop it (a process died). Drop it for the next search.
			if err := e.library.DropExample(ctx, h.ID); err != nil {
				e.log(ctx).Warn("stale library entry not dropped", "contract", h.ID, "err", err)
			}
		}
		if !ok || need.NotBy != "" && c.Learner == need.NotBy {
			continue
		}
		out = append(out, ex)
	}
	return out, nil
}

// rankIndex hands what the store found to the ranking.
func rankIndex(ix storage.LibraryIndex) library.Index {
	out := library.Index{Docs: ix.Docs, TotalLen: ix.TotalLen, Postings: make(map[string][]library.Posting, len(ix.Postings))}
	for t, ps := range ix.Postings {
		rp := make([]library.Posting, len(ps))
		for i, p := range ps {
			rp[i] = library.Posting{ID: p.ID, Count: p.Count, Len: p.Len}
		}
		out.Postings[t] = rp
	}
	return out
}

// ExamplesFor returns up to n examples from the library for a person: the
// ones most like their latest contract that has a topic, never their own.
// None when they have no contract yet, or the store keeps no library.
func (e *Engine) ExamplesFor(ctx context.Context, platform, team, user string, n int) ([]library.Example, error) {
	if e.library == nil || n <= 0 {
		return nil, nil
	}
	cs, err := e.latest(ctx, storage.UserKey{Platform: platform, Team: team, User: user}, homeContracts)
	if err != nil {
		return nil, err
	}
	need, ok := conversation.ExamplesFor(user, cs, n)
	if !ok {
		return nil, nil
	}
	return e.examples(ctx, platform, team, need)
}
