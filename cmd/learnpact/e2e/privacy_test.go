package e2e

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage/embedded"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// managerSecret is what the manager types: it must leave with him.
const managerSecret = "Mo-private-plan-Quokka"

// forgetManager has the manager approve nothing but ask for changes on the
// learner's contract, draft one of his own, and then be forgotten.
func forgetManager(t *testing.T, h *harness) {
	t.Helper()
	summary := h.draft()
	h.click(learner, summary, string(conversation.ActionSend))
	card := h.expect(manager, "would like you to approve")
	h.click(manager, card, string(conversation.ActionRequestChanges))
	if err := h.ws.Await(h.ctx(), func() bool { _, ok := h.ws.OpenModal(manager); return ok }); err != nil {
		t.Fatal("no form opened for the manager's comments")
	}
	if err := h.ws.Submit(h.ctx(), manager, map[string]string{conversation.FieldComments: managerSecret + " comment"}); err != nil {
		t.Fatal(err)
	}
	h.expect(learner, managerSecret)
	h.say(manager, "new")
	h.expect(manager, "a title")
	h.say(manager, managerSecret+" title")
	h.expect(manager, "first goal")

	h.say(manager, "forget-me")
	confirm := h.expect(manager, "Delete everything I keep about you?")
	h.click(manager, confirm, string(conversation.ActionForgetMe))
	h.expect(manager, "everything I kept about you is deleted")

	// The learner's contract stays, with a former colleague in it.
	cs := h.contracts(learner)
	if len(cs) != 1 || cs[0].Status != contract.ChangesRequested || cs[0].Terms.Title != "Running design reviews" {
		t.Fatalf("the learner's contracts after the manager was forgotten: %+v", cs)
	}
}

// TestForgetMeLeavesNothingInRedis: after the manager is forgotten, no key
// of the Redis store names him, and no value (contracts decompressed)
// holds his id or what he typed.
func TestForgetMeLeavesNothingInRedis(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, s.Stores())
	forgetManager(t, h)

	ctx := context.Background()
	c := s.Client()
	var keys []string
	iter := c.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if len(keys) < 5 {
		t.Fatalf("only %d keys in Redis: the test checks nothing", len(keys))
	}
	sawLearner := false
	for _, k := range keys {
		vals := redisValues(t, c, k)
		for _, v := range append(vals, k) {
			for _, gone := range []string{manager, managerSecret} {
				if strings.Contains(v, gone) {
					t.Errorf("key %q still holds %q: %.300s", k, gone, v)
				}
			}
			sawLearner = sawLearner || strings.Contains(v, learner)
		}
	}
	if !sawLearner {
		t.Error("nothing in Redis names the learner: the scan read no values")
	}
}

// redisValues reads every value of a key as text, contracts decompressed.
func redisValues(t *testing.T, c goredis.UniversalClient, key string) []string {
	t.Helper()
	ctx := context.Background()
	typ, err := c.Type(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	switch typ {
	case "string":
		v, _ := c.Get(ctx, key).Result()
		out = append(out, v)
	case "hash":
		m, _ := c.HGetAll(ctx, key).Result()
		for f, v := range m {
			out = append(out, f, v)
		}
	case "zset":
		out, _ = c.ZRange(ctx, key, 0, -1).Result()
	case "set":
		out, _ = c.SMembers(ctx, key).Result()
	case "list":
		out, _ = c.LRange(ctx, key, 0, -1).Result()
	case "none":
	default:
		t.Fatalf("key %q of type %s: the test cannot read it", key, typ)
	}
	for i, v := range out {
		if len(v) > 0 && v[0] == 0x01 { // a compressed contract
			data, err := io.ReadAll(flate.NewReader(strings.NewReader(v[1:])))
			if err == nil {
				out[i] = string(data)
			}
		}
	}
	return out
}

// TestForgetMeLeavesNothingInTheFile: the same on the embedded store,
// read byte by byte from its file.
func TestForgetMeLeavesNothingInTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "learnpact.db")
	s, err := embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, s.Stores())
	forgetManager(t, h)
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(file, []byte(learner)) {
		t.Fatal("the file never names the learner: the test reads the wrong file")
	}
	for _, gone := range []string{manager, managerSecret} {
		if i := bytes.Index(file, []byte(gone)); i >= 0 {
			t.Errorf("the file still holds %q at byte %d: %q", gone, i, file[max(0, i-40):min(len(file), i+60)])
		}
	}
}

// get fetches a URL that must answer 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	return string(body)
}

// TestMyDataInThreeContracts: the manager approves two learners'
// contracts and drafts one of his own; /contract my-data brings him a JSON
// file, uploaded to his DM, that lists those three.
func TestMyDataInThreeContracts(t *testing.T) {
	h := newHarness(t, stores["redis"](t))
	summary := h.draft()
	h.click(learner, summary, string(conversation.ActionSend))
	h.expect(manager, "would like you to approve")
	for _, who := range []string{stranger} {
		h.say(who, "new")
		h.expect(who, "a title")
		h.say(who, "Pairing on incidents")
		h.expect(who, "first goal")
		h.say(who, "Lead two incident reviews with a written timeline")
		mastery := h.expect(who, "mastered")
		h.click(who, mastery, string(conversation.ActionSkip))
		goals := h.expect(who, "Your goals so far")
		h.click(who, goals, string(conversation.ActionGoalsDone))
		h.expect(who, "How will you learn it?")
		h.say(who, "Shadow the on-call lead")
		h.expect(who, "What evidence")
		h.say(who, "Two timelines")
		h.expect(who, "How should your evidence be judged")
		h.say(who, "The team uses them")
		h.expect(who, "By when?")
		h.say(who, "in 6 weeks")
		cadence := h.expect(who, "How often should we check in?")
		h.click(who, cadence, string(conversation.ActionWeekly))
		h.expect(who, "Who will approve")
		h.say(who, "<@"+manager+">")
		h.skipNotes(who)
		sum := h.expect(who, "Send to my manager")
		h.click(who, sum, string(conversation.ActionSend))
		h.expect(manager, "would like you to approve")
	}
	h.say(manager, "new")
	h.expect(manager, "a title")
	h.say(manager, "Coaching new leads")
	h.expect(manager, "first goal")

	h.say(manager, "my-data")
	note := h.expect(manager, "Here is everything I keep about you")
	if len(note.Files) != 1 || !strings.HasSuffix(note.Files[0].Name, ".json") {
		t.Fatalf("the note came with files %+v, want one JSON file", note.Files)
	}
	page := get(t, h.srv.URL+"/")
	token := regexp.MustCompile(`<meta name="sandbox-token" content="([^"]+)">`).FindStringSubmatch(page)
	if token == nil {
		t.Fatal("no page token on the sandbox page")
	}
	file := get(t, h.srv.URL+"/files/"+note.Files[0].ID+"/"+note.Files[0].Name+"?token="+token[1])
	var data bot.MyData
	if err := json.Unmarshal([]byte(file), &data); err != nil {
		t.Fatalf("the file is not JSON: %v", err)
	}
	var titles []string
	for _, raw := range data.Contracts {
		var c contract.Contract
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		titles = append(titles, c.Terms.Title)
	}
	slices.Sort(titles)
	if want := []string{"Coaching new leads", "Pairing on incidents", "Running design reviews"}; !slices.Equal(titles, want) {
		t.Errorf("the manager's data lists %q, want %q", titles, want)
	}
}
