package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
	"github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// sharedWorld is a world over a memory store the test keeps, in which Lee
// completed “Running design reviews” and shared it anonymously.
func sharedWorld(t *testing.T) (*bottest.World, *memory.Store) {
	s := memory.New(memory.WithClock(func() time.Time { return start }))
	t.Cleanup(func() { s.Close() })
	stores := s.Stores()
	w := onStore(t, &stores)
	completeContract(w)
	w.Click(lee, "Share anonymously")
	if ix := indexed(t, s, "review"); ix.Docs != 1 {
		t.Fatalf("the shared contract is not indexed: %+v", ix)
	}
	return w, s
}

func indexed(t *testing.T, s storage.Library, terms ...string) storage.LibraryIndex {
	t.Helper()
	ix, err := s.LibraryTerms(context.Background(), bottest.PlatformName+":"+bottest.Team, terms)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestForgetMeDropsExamples: a learner who asks to be forgotten leaves
// nothing in the library, not even its index.
func TestForgetMeDropsExamples(t *testing.T) {
	w, s := sharedWorld(t)
	w.Say(lee, "forget-me")
	w.Click(lee, "Delete everything")
	if ix := indexed(t, s, "review", "design", "checklist"); ix.Docs != 0 || len(ix.Postings) != 0 {
		t.Errorf("after forget-me the index still holds %+v", ix)
	}
	if got := searchText(w, sam, "design reviews"); !strings.Contains(got, "No examples") {
		t.Errorf("after forget-me a search found:\n%s", got)
	}
}

// TestRetainClosedDropsExamples: contracts deleted after the retention
// period leave the library too.
func TestRetainClosedDropsExamples(t *testing.T) {
	_, s := sharedWorld(t)
	e, err := bot.New(bot.Config{Store: s, Docs: s, Erase: s, Library: s, Now: func() time.Time { return start.AddDate(3, 0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.RetainClosed(context.Background(), 2*365*24*time.Hour); err != nil || n != 1 {
		t.Fatalf("RetainClosed deleted %d (%v), want 1", n, err)
	}
	if ix := indexed(t, s, "review"); ix.Docs != 0 || len(ix.Postings) != 0 {
		t.Errorf("after retention the index still holds %+v", ix)
	}
}

// TestRepairLibrary: a contract saved shared whose index entry was lost (a
// process died between the two) is found again after the daily repair.
func TestRepairLibrary(t *testing.T) {
	_, s := sharedWorld(t)
	ctx := context.Background()
	var id string
	if err := s.EachContract(ctx, func(cid string, _ []byte, _ int64) error { id = cid; return nil }); err != nil || id == "" {
		t.Fatalf("no stored contract (%v)", err)
	}
	if err := s.DropExample(ctx, id); err != nil {
		t.Fatal(err)
	}
	if ix := indexed(t, s, "review"); ix.Docs != 0 {
		t.Fatalf("the entry was not dropped: %+v", ix)
	}
	e, err := bot.New(bot.Config{Store: s, Docs: s, Erase: s, Library: s, Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.RepairLibrary(ctx); err != nil || n != 1 {
		t.Fatalf("RepairLibrary indexed %d (%v), want 1", n, err)
	}
	if ix := indexed(t, s, "review"); ix.Docs != 1 {
		t.Errorf("after the repair the shared contract is not indexed: %+v", ix)
	}
}

// TestExamplesFor: a few examples for a person's home, like their latest
// contract, never their own.
func TestExamplesFor(t *testing.T) {
	w, s := sharedWorld(t)
	w.Say(sam, "new")
	w.Say(sam, "Design reviews for the platform team")
	e, err := bot.New(bot.Config{Store: s, Docs: s, Erase: s, Library: s, Now: w.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := e.ExamplesFor(ctx, bottest.PlatformName, bottest.Team, sam, 3)
	if err != nil || len(got) != 1 || got[0].ID != "c1" || got[0].Learner != "" {
		t.Errorf("ExamplesFor(Sam) = %+v, %v; want c1, anonymous", got, err)
	}
	if got, err := e.ExamplesFor(ctx, bottest.PlatformName, bottest.Team, lee, 3); err != nil || len(got) != 0 {
		t.Errorf("ExamplesFor(Lee) = %+v, %v; want none of Lee's own", got, err)
	}
	if got, err := e.ExamplesFor(ctx, bottest.PlatformName, "T2", sam, 3); err != nil || len(got) != 0 {
		t.Errorf("ExamplesFor in another team = %+v, %v; want none", got, err)
	}
}

// turnShows reports whether the latest turn showed a message holding want.
func turnShows(w *bottest.World, want string) bool {
	for _, d := range w.Turn().Deliveries {
		if strings.Contains(messagetest.Text(d.Message), want) {
			return true
		}
	}
	return false
}

// TestExamplesOfferedWithTemplates: where drafts may start from a
// template, examples are offered for the title typed at the start, and
// for the title of a template's form.
func TestExamplesOfferedWithTemplates(t *testing.T) {
	w, _ := sharedWorld(t)
	w.Templates(examples(t))
	w.Say(sam, "new")
	w.Say(sam, "Design reviews that finish on time")
	if !turnShows(w, offered) {
		t.Error("a title typed at the start of a draft got no examples")
	}
	w.Say(mo, "new")
	w.Click(mo, "Start from a template")
	w.Choose(mo, "Present with confidence")
	w.Submit(mo, map[string]string{contract.FieldTitle: "Present our design review checklist", contract.FieldGoals: "g1", contract.FieldEvidence: "e1"})
	if !turnShows(w, offered) {
		t.Error("a draft from a template got no examples")
	}
	if got := w.Contract("c3"); got.Terms.Title != "Present our design review checklist" {
		t.Errorf("the template's draft: %+v", got.Terms)
	}
}

// TestSearchDropsStaleEntries: an entry left in the index for a contract
// no longer shared (its turn died before dropping it) is never shown, and
// a search drops it once the contract has been left alone for a while.
func TestSearchDropsStaleEntries(t *testing.T) {
	w, s := sharedWorld(t)
	c := w.Contract("c1")
	c.Library = contract.NotShared
	w.Store(c) // the consent withdrawn, the index not told
	if got := searchText(w, sam, "design reviews"); !strings.Contains(got, "No examples") {
		t.Fatalf("a contract no longer shared was found:\n%s", got)
	}
	if ix := indexed(t, s, "review"); ix.Docs != 1 {
		t.Fatalf("the entry of a contract changed just now was dropped: %+v", ix)
	}
	w.Advance(2 * time.Minute)
	searchText(w, sam, "design reviews")
	if ix := indexed(t, s, "review"); ix.Docs != 0 {
		t.Errorf("the stale entry stays: %+v", ix)
	}
}

// TestWithdrawalOnEveryReplica: two replicas (engines of their own) share
// one Redis; what one shares the other finds, and once the learner stops
// sharing it on the first, the second finds nothing at once: no replica
// keeps an index of its own.
func TestWithdrawalOnEveryReplica(t *testing.T) {
	s, err := redis.Open(redistest.Start(t).URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	stores := s.Stores()
	a, b := onStore(t, &stores), onStore(t, &stores)
	completeContract(a)
	a.Click(lee, "Share anonymously")
	if got := searchText(b, sam, "design reviews"); !strings.Contains(got, "Running design reviews") {
		t.Fatalf("the other replica does not find the shared contract:\n%s", got)
	}
	a.Command(lee, "library")
	a.Click(lee, "Don't share")
	if got := searchText(b, sam, "design reviews"); !strings.Contains(got, "No examples") {
		t.Errorf("the other replica still finds the withdrawn contract:\n%s", got)
	}
}
