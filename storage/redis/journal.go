package redis

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/storage"
)

// On Redis Cluster a turn's writes span several slots, so Save takes
// several steps (see the package comment). The first step that commits
// the turn also writes the turn's journal: what the later steps are to
// write (the session, the event marked applied to the user, the user
// lists, the outgoing messages and the due changes), in the same slot and
// the same script as the contract with its revision check, or, for a turn
// without a contract, as the session. The last step deletes the journal.
// A process that dies between the steps leaves the journal, and Recover
// (which the bot runs at start and every RecoverEvery) carries out what it
// holds once it is older than RecoverAfter:
//
//	lp:{c:ID}:journal             hash: save token → "MS:JSON", a turn that wrote contract ID
//	lp:journal:{SESSIONKEY}       hash: the same, for a turn that wrote no contract
//
// MS is the server's time of the first step. Recover writes the session
// only if no later turn wrote it since (a session records the server time
// of its last write, "at"), marks the event applied to the user, and adds
// the lists, messages and due changes, all of which may be written twice.
// A lock of a due change (digests) is not taken again: its items are lost
// for that period when the process died before taking it.
const (
	// RecoverAfter is how old a journal must be before Recover carries it
	// out: far longer than the steps of a Save take.
	RecoverAfter = 30 * time.Second
	// RecoverEvery is how often the bot looks for journals.
	RecoverEvery = 15 * time.Second
)

// journal is what the later steps of a Cluster save write.
type journal struct {
	User         storage.UserKey   `json:"user"`
	WriteSession bool              `json:"write_session,omitempty"`
	Session      []byte            `json:"session,omitempty"`
	Current      string            `json:"current,omitempty"`
	Event        string            `json:"event,omitempty"`
	EventTTL     int64             `json:"event_ttl_ms,omitempty"`
	Contract     string            `json:"contract,omitempty"`
	Users        []storage.UserKey `json:"users,omitempty"`
	Out          []storage.DueItem `json:"out,omitempty"`
	Schedule     []storage.DueItem `json:"schedule,omitempty"`
	Cancel       []string          `json:"cancel,omitempty"`
}

func journalOf(w storage.TurnWrite) journal {
	j := journal{User: w.User, WriteSession: w.Session != nil, Session: w.Session, Current: w.CurrentContract,
		Event: w.Event, EventTTL: ceilMillis(max(w.EventTTL, time.Millisecond)), Out: w.Out,
		Schedule: w.Due.Schedule, Cancel: w.Due.Cancel}
	if w.Event == "" {
		j.EventTTL = 0
	}
	if c := w.Contract; c != nil {
		j.Contract, j.Users = c.ID, c.Users
	}
	return j
}

func contractJournalKey(id string) string { return contractKeyPrefix + id + "}:journal" }

func userJournalKey(u storage.UserKey) string { return "lp:journal:{" + sessionKey(u) + "}" }

// newSaveToken names one Cluster save's journal entry.
func newSaveToken() string { return rand.Text() }

// nowMsLua sets now to the server's time in unix ms.
const nowMsLua = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// replaySessionScript carries out the session part of a journal written at
// ARGV[8] (server ms): unless the event was marked applied to the user
// (the save's second step ran), it writes the session (ARGV 1..4 as for
// saveScript) when no turn wrote it since (within the same millisecond
// counts as since), and marks the event applied.
// KEYS[1] session, KEYS[2] applied event (the session key without one).
var replaySessionScript = redis.NewScript(`
if ARGV[5] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '0')
if ARGV[1] == '1' and at < tonumber(ARGV[7]) then
  redis.call('HSET', KEYS[1], 'data', ARGV[2], 'contract', ARGV[3], 'at', ARGV[7])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
if ARGV[5] ~= '' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[6]) end
return 1
`)

// Recover carries out the journals of Cluster saves that a process left
// unfinished (see RecoverAfter) and returns how many. On a single node
// or Sentinel, where a save is one atomic script, there are none.
func (s *Store) Recover(ctx context.Context, olderThan time.Duration) (int, error) {
	cc, ok := s.c.(*redis.ClusterClient)
	if !ok {
		return 0, nil
	}
	type entry struct{ key, token, value string }
	var found []entry
	err := cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		now, err := node.Time(ctx).Result()
		if err != nil {
			return err
		}
		iter := node.Scan(ctx, 0, "lp:*journal*", 1000).Iterator()
		for iter.Next(ctx) {
			key := iter.Val()
			if !strings.HasSuffix(key, "}:journal") && !strings.HasPrefix(key, "lp:journal:{") {
				continue
			}
			fields, err := node.HGetAll(ctx, key).Result()
			if err != nil {
				return err
			}
			for token, v := range fields {
				ms, _, _ := strings.Cut(v, ":")
				at, err := strconv.ParseInt(ms, 10, 64)
				if err != nil || now.Sub(time.UnixMilli(at)) >= olderThan {
					found = append(found, entry{key, token, v})
				}
			}
		}
		return iter.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("redis: look for unfinished saves: %w", err)
	}
	n := 0
	for _, e := range found {
		if err := s.replay(ctx, e.value); err != nil {
			return n, fmt.Errorf("redis: finish the save %s of %s: %w", e.token, e.key, err)
		}
		if err := s.c.HDel(ctx, e.key, e.token).Err(); err != nil {
			return n, fmt.Errorf("redis: forget the save %s of %s: %w", e.token, e.key, err)
		}
		n++
	}
	return n, nil
}

// replay carries out one journal entry, "MS:JSON". An entry that cannot be
// read is dropped (it was never written so by this package).
func (s *Store) replay(ctx context.Context, v string) error {
	ms, data, ok := strings.Cut(v, ":")
	var j journal
	if !ok || json.Unmarshal([]byte(data), &j) != nil || storage.CheckUser(j.User) != nil {
		return nil
	}
	sess := sessionKey(j.User)
	event := sess
	if j.Event != "" {
		event = appliedKey(j.User, j.Event)
	}
	write := "0"
	if j.WriteSession {
		write = "1"
	}
	args := []any{write, j.Session, j.Current, ttlMillis(storage.SessionTTL), j.Event, strconv.FormatInt(j.EventTTL, 10), ms}
	if err := replaySessionScript.Run(ctx, s.c, []string{sess, event}, args...).Err(); err != nil {
		return err
	}
	w := storage.TurnWrite{User: j.User, Out: j.Out, Due: storage.DueChanges{Schedule: j.Schedule, Cancel: j.Cancel}}
	if j.Contract != "" {
		w.Contract = &storage.ContractWrite{ID: j.Contract, Users: j.Users}
	}
	return s.writeRest(ctx, w, w.Due.Schedule, false)
}
