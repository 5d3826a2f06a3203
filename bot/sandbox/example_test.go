package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot/sandbox"
)

// A bot under test points its Web API client at the sandbox and serves
// /slack/events; the test acts as a person and waits for the answer.
func Example() {
	var client *slackapi.Client
	bot := http.NewServeMux()
	bot.HandleFunc("POST /slack/events", func(rw http.ResponseWriter, r *http.Request) {
		// A real adapter verifies the signature with the workspace's Secret.
		var env struct {
			Event struct {
				User string `json:"user"`
				Text string `json:"text"`
			} `json:"event"`
		}
		_ = json.NewDecoder(r.Body).Decode(&env)
		go func() { // ack first, then work
			_, _, _ = client.PostMessage(env.Event.User, slackapi.MsgOptionText("You said: "+env.Event.Text, false))
		}()
	})
	botSrv := httptest.NewServer(bot)
	defer botSrv.Close()

	w := sandbox.New(sandbox.Config{BotURL: botSrv.URL})
	api := httptest.NewServer(w.Handler())
	defer api.Close()
	client = slackapi.New(w.Token(), slackapi.OptionAPIURL(api.URL+"/api/"))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.SendDM(ctx, sandbox.Learner, "hello"); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Await(ctx, func() bool { return len(w.DM(sandbox.Learner)) == 2 }); err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range w.DM(sandbox.Learner) {
		fmt.Printf("%s: %s\n", m.User, m.Text)
	}
	// Output:
	// U01ADA: hello
	// U00LP: You said: hello
}
