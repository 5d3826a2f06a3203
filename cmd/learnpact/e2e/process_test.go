package e2e

import (
	"bufio"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/sandbox"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// TestKillBetweenTurns runs the real learnpact binary in HTTP mode against
// the sandbox and a real redis-server, kills it with SIGKILL between two
// turns of a dialog and starts it again: the next message continues the
// dialog.
func TestKillBetweenTurns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "learnpact")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	rds := redistest.Start(t)
	addr := freeAddr(t)

	api := httptest.NewUnstartedServer(nil)
	ws := sandbox.New(sandbox.Config{BotURL: "http://" + addr, BotToken: "xoxb-e2e", Clock: sandbox.NewClock(start)})
	api.Config.Handler = ws.APIHandler()
	api.Start()
	t.Cleanup(api.Close)

	env := append(os.Environ(),
		"ADDR="+addr,
		"REDIS_URL="+rds.URL(),
		"SLACK_BOT_TOKEN=xoxb-e2e",
		"SLACK_SIGNING_SECRET="+ws.Secret(),
		"SLACK_API_URL="+api.URL+"/api/",
		"SLACK_APP_TOKEN=",
		"LOG_FORMAT=json",
	)
	run := func() *exec.Cmd {
		cmd := exec.Command(bin)
		cmd.Env = env
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		ready := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "serving Slack requests") {
					close(ready)
					break
				}
			}
			io.Copy(io.Discard, stderr)
		}()
		select {
		case <-ready:
		case <-time.After(30 * time.Second):
			t.Fatal("learnpact did not start")
		}
		return cmd
	}

	h := &harness{t: t, ws: ws, seen: map[string]int{}}
	proc := run()
	h.say(learner, "new")
	h.expect(learner, "a title")
	h.say(learner, "Running design reviews")
	h.expect(learner, "first goal")

	if err := proc.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	proc.Wait()
	run()

	h.say(learner, "Run three design reviews using a checklist the team adopts")
	h.expect(learner, "mastered")

	store, err := redisstore.Open(rds.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h.store = store.Stores()
	c := h.contracts(learner)
	if len(c) != 1 || c[0].Terms.Title != "Running design reviews" || len(c[0].Terms.Goals) != 1 {
		t.Fatalf("after the kill the draft is %+v", c)
	}
}

// freeAddr returns a loopback address nobody is listening on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
