package bot_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	"github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// completeContract has Lee draft, sign, hand in, be assessed on and
// reflect on “Running design reviews”, up to the question whether
// colleagues may see it.
func completeContract(w *bottest.World) {
	w.Quietly("Lee drafted “Running design reviews”, Mo signed it, Lee handed in evidence, Mo assessed it Met and Lee reflected: c1 is completed", func() {
		draftAndSend(w)
		w.Click(mo, "Approve & sign")
		w.Advance(20 * 24 * time.Hour)
		handIn(w)
		w.Click(mo, "Assess")
		w.Submit(mo, map[string]string{conversation.FieldRating(1): "met"})
		w.Click(lee, "Reflect and finish")
		w.Say(lee, "Asking <@UMO|mo> for a checklist early saved me weeks")
		w.Click(lee, "Skip")
		w.Click(lee, "Skip")
	})
}

// samDrafts has Sam start a new contract with a title, and returns what
// Sam was shown right after typing it.
func samDrafts(w *bottest.World, title string) string {
	w.Say(sam, "new")
	for _, b := range messagetest.Buttons(w.Latest(sam).Message) {
		if b.Label == "Start a new one" {
			w.Click(sam, b.Label)
		}
	}
	w.Say(sam, title)
	var shown []string
	for _, d := range w.Turn().Deliveries {
		shown = append(shown, messagetest.Text(d.Message))
	}
	return strings.Join(shown, "\n---\n")
}

// searchText runs "examples TOPIC" as user and returns the answer.
func searchText(w *bottest.World, user, topic string) string {
	w.Command(user, "examples "+topic)
	return lastText(w, user)
}

const offered = "Colleagues learned something similar"

// libraryScenario is the library's promise, on any store: a completed
// contract shared anonymously is offered to the next learner drafting on
// a similar topic and a search finds it, without its learner's name; a
// contract never shared, or no longer shared, never appears.
func libraryScenario(t *testing.T, w *bottest.World) {
	completeContract(w)
	if c := w.Contract("c1"); c.Status != contract.Completed || c.Library != contract.NotShared {
		t.Fatalf("after completing: %s, shared %q; want completed and not shared", c.Status, c.Library)
	}
	if !strings.Contains(lastText(w, lee), "May colleagues learn from") {
		t.Fatalf("Lee was not asked whether colleagues may see the contract: %q", lastText(w, lee))
	}
	// Not answered: never shown.
	if got := searchText(w, sam, "design reviews"); !strings.Contains(got, "No examples") {
		t.Errorf("a contract never shared was found:\n%s", got)
	}

	w.Click(lee, "Share anonymously")
	if c := w.Contract("c1"); c.Library != contract.Anonymous {
		t.Fatalf("after sharing anonymously: %q", c.Library)
	}
	shown := samDrafts(w, "Running better design reviews")
	if !strings.Contains(shown, offered) || !strings.Contains(shown, "Running design reviews") {
		t.Fatalf("Sam, drafting on a similar topic, was not offered Lee's contract:\n%s", shown)
	}
	if strings.Contains(shown, "ULEE") || strings.Contains(shown, "UMO") {
		t.Errorf("the anonymous example names someone:\n%s", shown)
	}
	if !strings.Contains(lastText(w, sam), "goal") {
		t.Errorf("the draft did not carry on with the first goal after the examples: %q", lastText(w, sam))
	}
	w.Click(sam, "Open")
	whole := lastText(w, sam)
	for _, want := range []string{"Running design reviews", "Run three design reviews", "Shadow Ana", "A write-up of three reviews", "success criterion met", "saved me weeks", "anonymously"} {
		if !strings.Contains(whole, want) {
			t.Errorf("the opened example lacks %q:\n%s", want, whole)
		}
	}
	for _, name := range []string{"ULEE", "UMO", "Lee", "@"} {
		if strings.Contains(whole, name) {
			t.Errorf("the opened anonymous example shows %q:\n%s", name, whole)
		}
	}
	if got := searchText(w, sam, "design review checklist"); !strings.Contains(got, "Running design reviews") {
		t.Errorf("a search did not find the shared contract:\n%s", got)
	}

	// Withdrawn: gone from the search and the offers at once.
	w.Command(lee, "library")
	w.Click(lee, "Don't share")
	if c := w.Contract("c1"); c.Library != contract.NotShared {
		t.Fatalf("after withdrawing: %q", c.Library)
	}
	if got := searchText(w, sam, "design review checklist"); !strings.Contains(got, "No examples") {
		t.Errorf("a withdrawn contract was found:\n%s", got)
	}
	if shown := samDrafts(w, "Design reviews for the platform team"); strings.Contains(shown, offered) {
		t.Errorf("a withdrawn contract was offered:\n%s", shown)
	}
}

func TestTranscriptLibrary(t *testing.T) {
	w := newWorld(t, "The library of past contracts: consent at completion, offered while drafting, searched, opened, withdrawn")
	libraryScenario(t, w)

	// Shared again, with the name this time; never offered to its learner.
	w.Command(lee, "status")
	w.Click(lee, "Share with my name")
	if got := searchText(w, sam, "design reviews"); !strings.Contains(got, "Running design reviews") {
		t.Errorf("shared again, it was not found:\n%s", got)
	}
	w.Click(sam, "Open")
	if got := lastText(w, sam); !strings.Contains(got, "Learned by @ULEE") {
		t.Errorf("a named example does not name its learner:\n%s", got)
	}
	w.Say(lee, "new")
	w.Say(lee, "Running design reviews across teams")
	for _, d := range w.Turn().Deliveries {
		if strings.Contains(messagetest.Text(d.Message), offered) {
			t.Errorf("Lee was offered their own contract:\n%s", messagetest.Text(d.Message))
		}
	}

	// Searches that cannot be run are answered, and change nothing.
	bad := []string{"*", "", "!!! ???", "the and of"}
	for _, q := range bad {
		before := w.StoredContracts()
		w.Command(sam, strings.TrimSpace("examples "+q))
		got := lastText(w, sam)
		if got == "" || strings.Contains(got, "Running design reviews") || strings.Contains(got, "wrong") {
			t.Errorf("examples %.20q answered %q", q, got)
		}
		if after := w.StoredContracts(); len(after) != len(before) {
			t.Errorf("examples %.20q changed the contracts", q)
		}
	}
	golden(t, w, "library")

	// 10,000 characters, kept out of the transcript.
	w.Command(sam, "examples "+strings.Repeat("review ", 1500)[:10000])
	if got := lastText(w, sam); !strings.Contains(got, "10000 characters") {
		t.Errorf("a search of 10,000 characters answered %q", got)
	}
}

// TestLibraryOnRedis runs the library's promise over Redis: the index is
// kept in the store the replicas share.
func TestLibraryOnRedis(t *testing.T) {
	s, err := redis.Open(redistest.Start(t).URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	stores := s.Stores()
	libraryScenario(t, onStore(t, &stores))
}

// TestLibraryOnEmbedded runs the library's promise over the embedded store.
func TestLibraryOnEmbedded(t *testing.T) {
	s, err := embedded.Open(filepath.Join(t.TempDir(), "learnpact.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	stores := s.Stores()
	libraryScenario(t, onStore(t, &stores))
}

func onStore(t *testing.T, s *storage.Stores) *bottest.World {
	w := bottest.NewWorldOn(t, start, s)
	w.Names(map[string]string{lee: "Lee", mo: "Mo", sam: "Sam"})
	return w
}
