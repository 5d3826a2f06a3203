// Package redis is the production storage.Store, on Redis (single node,
// Sentinel or Cluster) through go-redis.
//
// Keys:
//
//	lp:{c:ID}:contract                    hash: rev, data (the contract JSON)
//	lp:session:PLATFORM:TEAM:USER         hash: data (session JSON), contract (current id);
//	                                      TTL storage.SessionTTL, refreshed by every Save
//	lp:user:PLATFORM:TEAM:USER:contracts  sorted set of contract ids, scored 0, 1, 2… in the order added
//	lp:applied:{SESSIONKEY}:EVENT         string "1", PX TurnWrite.EventTTL: an event applied by a
//	                                      turn of the user whose session key is SESSIONKEY (the hash
//	                                      tag puts it in the session's Cluster slot)
//	lp:{c:ID}:applied:EVENT               string "1", PX TurnWrite.EventTTL: an event applied to the
//	                                      contract, written on Cluster only (see below)
//	lp:seen:EVENTID                       string, SET NX PX (FirstSeen; apart from lp:applied)
//	lp:{c:ID}:journal, lp:journal:{SESSIONKEY}
//	                                      hashes: Cluster saves not yet finished, see journal.go
//	lp:{due}, lp:{due}:items, lp:{due}:leases, lp:lock:NAME
//	                                      due items and locks, see due.go
//	lp:{out}, lp:{out}:items, lp:{out}:leases, lp:{out}:lock:NAME
//	                                      Slack's outbox, a due set (Store.Outbox), which Save
//	                                      also writes
//	lp:{out:PLATFORM}, lp:{out:PLATFORM}:items, …
//	                                      the outbox of any other platform (Teams), the same
//	lp:doc:KEY                            hash: rev, data; no TTL (storage.Docs: learning
//	                                      sets, shared drafts' threads, Teams conversation references)
//	lp:{lib:TEAM}:…, lp:libof:ID          the library of past contracts' index, see library.go
//
// Colons, percent signs and braces inside platform, team and user ids are
// escaped (%3A, %25, %7B, %7D), so "29:abc" (a Teams user id) cannot be
// mistaken for two parts and no id makes a hash tag.
//
// On a single node or Sentinel, Load and Save are one Lua script each: one
// round trip each, and Save is atomic: the session, the contract with its
// revision check, the user lists, the event marked applied, the outgoing
// messages and the changes to due items (with their locks) are all
// written, or none.
//
// A script may only touch keys of one hash slot in Redis Cluster, and a
// turn touches several. With a *redis.ClusterClient:
//
//   - Load reads the session, whether the event was applied and a contract
//     named by id in one pipeline (one round trip); the session's current
//     contract takes a second.
//   - Save runs up to five steps, each one round trip and each only when
//     the ones before it succeeded: (1) the contract, with its revision
//     check, the event marked applied to it (lp:{c:ID}:applied:EVENT) and
//     the turn's journal (journal.go): what the later steps write; (2) the
//     session, with the event marked applied to the user (and, for a turn
//     without a contract, the journal); (3) the locks of the due changes;
//     (4) the user lists, the outgoing messages, the due items to schedule
//     (a lock's only when step 3 got it) and to cancel, and the session of
//     a turn with a contract and no event; (5) the journal deleted. A step
//     with nothing to write is skipped, and a save of one step writes no
//     journal.
//
// So in Cluster ErrConflict still writes nothing, and of several runs of
// one event (redeliveries, replicas) at most one writes a contract they
// all change and at most one writes the session, outgoing messages and due
// changes. A process that dies between the steps leaves the journal, and
// Recover finishes the save (see journal.go): the turn is written in full
// after all, some of it perhaps twice (messages are delivered at least
// once anyway), except the items of a due change's lock that step 3 did
// not take. Runs that loaded different states and so changed different
// contracts (two replicas creating a draft for one event) can each write
// theirs, the loser's in nobody's list and no session's current contract;
// and Save may return ErrConflict where a single node returns ErrApplied.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Store = (*Store)(nil)

// Store is a storage.Store on Redis.
type Store struct {
	c       redis.UniversalClient
	cluster bool
	// afterStep, when set (by tests), is called after each step of a
	// Cluster save; an error stops the save there, as a crash would.
	afterStep func(step int) error
	// dueSet makes the Store the storage.DueStore of due items.
	dueSet
}

// New returns a store on c. The store owns c: Close closes it.
func New(c redis.UniversalClient) *Store {
	_, cluster := c.(*redis.ClusterClient)
	return &Store{
		c:       c,
		cluster: cluster,
		dueSet:  dueSet{client: c, keys: dueKeys, held: dueKey + ":held", lockPrefix: lockPrefix, holder: rand.Text()},
	}
}

// Client returns the underlying client, for features that keep their own
// keys (due items, outbox) in the same Redis.
func (s *Store) Client() redis.UniversalClient { return s.c }

// Ping implements storage.Store: one PING (to one node of a Cluster).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}

// Close implements storage.Store.
func (s *Store) Close() error {
	if err := s.c.Close(); err != nil {
		return fmt.Errorf("redis: close: %w", err)
	}
	return nil
}

const (
	contractKeyPrefix = "lp:{c:"
	contractKeySuffix = "}:contract"
)

func contractKey(id string) string { return contractKeyPrefix + id + contractKeySuffix }

func sessionKey(u storage.UserKey) string { return "lp:session:" + userPart(u) }

func contractsKey(u storage.UserKey) string { return UserPrefix(u) + ":contracts" }

func seenKey(eventID string) string { return "lp:seen:" + eventID }

// appliedKey marks an event applied by a turn of u. Its hash tag is the
// session key, which has none of its own (userPart escapes braces), so
// both are in one Cluster slot.
func appliedKey(u storage.UserKey, event string) string {
	return "lp:applied:{" + sessionKey(u) + "}:" + event
}

// contractAppliedKey marks an event applied to a contract, on Cluster
// only, in the contract's slot.
func contractAppliedKey(id, event string) string {
	return contractKeyPrefix + id + "}:applied:" + event
}

// UserPrefix returns the key prefix for one user, "lp:user:PLATFORM:TEAM:USER";
// other per-user keys (a profile cache) hang off it.
func UserPrefix(u storage.UserKey) string { return "lp:user:" + userPart(u) }

var escaper = strings.NewReplacer("%", "%25", ":", "%3A", "{", "%7B", "}", "%7D")

func userPart(u storage.UserKey) string {
	return escaper.Replace(u.Platform) + ":" + escaper.Replace(u.Team) + ":" + escaper.Replace(u.User)
}

// loadScript reads the session, takes its current contract when none was
// asked for, reads that contract and whether the event was applied. The
// contract key is built here from the id, which only works where every key
// lives on one node.
//
// KEYS[1] session, KEYS[2] applied event (only with an event); ARGV[1]
// contract id or "", ARGV[2..3] contract key prefix and suffix. Returns
// {session, contract id, rev, contract, applied (0 or 1)}.
var loadScript = redis.NewScript(`
local s = redis.call('HMGET', KEYS[1], 'data', 'contract')
local applied = 0
if KEYS[2] then applied = redis.call('EXISTS', KEYS[2]) end
local id = ARGV[1]
if id == '' and s[2] then id = s[2] end
if id == '' then return {s[1], id, false, false, applied} end
local c = redis.call('HMGET', ARGV[2] .. id .. ARGV[3], 'rev', 'data')
return {s[1], id, c[1], c[2], applied}
`)

// Replies of the save scripts.
const (
	savedConflict = 0
	saved         = 1
	savedApplied  = 2
)

// The save scripts are put together from the pieces below, which share
// one layout of keys and arguments:
//
// KEYS: 1 session, 2 applied event, 3 contract, 4..6 the platform's outbox,
// 7..9 the due set, then one key per lock of the turn's due changes, then
// the user lists; a key that is not used is given as the session key.
// ARGV: 1 write session ("1"/"0"), 2 session, 3 current contract id,
// 4 session TTL in ms, 5 event ("" for none), 6 event TTL in ms,
// 7 contract id ("" for none), 8 expected rev, 9 new rev, 10 contract,
// 11..14 how many outgoing messages, items to schedule, ids to cancel and
// locks follow, then: the outgoing messages and the items to schedule as
// triples (id, due time in unix ms, item value), the ids to cancel, and
// per lock its time and end in unix ms, its ttl in ms, how many items it
// schedules and those items as triples.
const (
	// appendLua defines append(k, id), which adds contract id to the
	// user list k unless it is there, scored one above the last.
	appendLua = `
local function append(k, id)
  if not redis.call('ZSCORE', k, id) then
    local last = redis.call('ZRANGE', k, -1, -1, 'WITHSCORES')
    local n = 0
    if last[2] then n = tonumber(last[2]) + 1 end
    redis.call('ZADD', k, n, id)
  end
end
`
	// scheduleLua defines schedule(k, a, n), which adds n items in
	// triples from ARGV[a] to the due set whose keys start at KEYS[k], as
	// dueSet.Schedule does: score, item value, no lease; and cancel(k, a,
	// n), which removes the n items whose ids start at ARGV[a], as
	// dueSet.Cancel does.
	scheduleLua = `
local function schedule(k, a, n)
  for i = a, a + 3 * (n - 1), 3 do
    redis.call('ZADD', KEYS[k], ARGV[i + 1], ARGV[i])
    redis.call('HSET', KEYS[k + 1], ARGV[i], ARGV[i + 2])
    redis.call('HDEL', KEYS[k + 2], ARGV[i])
  end
end
local function cancel(k, a, n)
  for i = a, a + n - 1 do
    redis.call('ZREM', KEYS[k], ARGV[i])
    redis.call('HDEL', KEYS[k + 1], ARGV[i])
    redis.call('HDEL', KEYS[k + 2], ARGV[i])
  end
end
`
	// appliedLua returns savedApplied when the event was applied.
	appliedLua = `
if ARGV[5] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
`
	// contractLua returns savedConflict on a revision mismatch, and
	// otherwise writes the contract and adds it to the user lists, the
	// keys from KEYS[lists].
	contractLua = `
local id = ARGV[7]
if id ~= '' then
  local rev = redis.call('HGET', KEYS[3], 'rev') or '0'
  if rev ~= ARGV[8] then return 0 end
  redis.call('HSET', KEYS[3], 'rev', ARGV[9], 'data', ARGV[10])
  for i = lists, #KEYS do append(KEYS[i], id) end
end
`
	// sessionLua writes the session and marks the event applied.
	sessionLua = `
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'data', ARGV[2], 'contract', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
if ARGV[5] ~= '' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[6]) end
`
)

// Positions of saveScript's arguments in the Go slice (ARGV[i+1]).
const (
	argWriteSession = iota
	argSession
	argCurrent
	argSessionTTL
	argEvent
	argEventTTL
	argContractID
	argRev
	argNextRev
	argContract
	argOutCount
	argScheduleCount
	argCancelCount
	argLockCount
	argOut // the first of the outgoing messages' triples
)

// saveScript saves a turn on a single node: it checks the event and the
// contract's revision and, if neither stops it, writes the contract, the
// user lists, the session, the event, the outgoing messages and the due
// changes. Otherwise it writes nothing and returns savedApplied or
// savedConflict.
var saveScript = redis.NewScript(appendLua + scheduleLua + lockLua + `
local nout, nsched, ncancel, nlocks = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
local lists = 10 + nlocks
` + appliedLua + contractLua + sessionLua + `
local a = 15
schedule(4, a, nout)
a = a + 3 * nout
schedule(7, a, nsched)
a = a + 3 * nsched
local cancels = a
a = a + ncancel
for l = 1, nlocks do
  local n = tonumber(ARGV[a + 3])
  if lock(KEYS[9 + l], ARGV[a], ARGV[a + 1], ARGV[a + 2]) then schedule(7, a + 4, n) end
  a = a + 4 + 3 * n
end
cancel(7, cancels, ncancel)
return 1
`)

// The scripts below do saveScript's work for Redis Cluster, where a script
// may touch the keys of one slot only.
var (
	// casScript writes the contract if its revision matches and, with an
	// event, marks the event applied to the contract too, unless it was;
	// and writes the turn's journal (see journal.go). KEYS[1] contract,
	// KEYS[2] its journal, KEYS[3] applied event on the contract (only with
	// an event); ARGV: 1 expected rev, 2 new rev, 3 contract, 4 event TTL
	// in ms, 5 save token, 6 journal. Returns a saved… reply.
	casScript = redis.NewScript(`
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
local rev = redis.call('HGET', KEYS[1], 'rev') or '0'
if rev ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'data', ARGV[3])
if KEYS[3] then redis.call('SET', KEYS[3], '1', 'PX', ARGV[4]) end
` + nowMsLua + `
redis.call('HSET', KEYS[2], ARGV[5], now .. ':' .. ARGV[6])
return 1
`)
	// turnScript checks the event and writes the session, with the server
	// time of the write ("at"), and the event; with ARGV[8], it writes the
	// turn's journal too. The session, the event key and the user's journal
	// share a slot. KEYS[1] session, KEYS[2] applied event, KEYS[3] journal
	// (each the session key when not used); ARGV 1..6 as for saveScript,
	// 7 save token, 8 journal ("" for none). Returns a saved… reply.
	turnScript = redis.NewScript(appliedLua + nowMsLua + `
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'data', ARGV[2], 'contract', ARGV[3], 'at', now)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
if ARGV[5] ~= '' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[6]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], ARGV[7], now .. ':' .. ARGV[8]) end
return 1
`)
)

// sessionAtScript writes the session KEYS[1] (ARGV: data, current
// contract, TTL in ms) with the server time of the write, for Cluster; it
// goes in a pipeline (EVAL, not EVALSHA).
const sessionAtScript = nowMsLua + `
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'contract', ARGV[2], 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`

// appendScript adds ARGV[1] to the user list KEYS[1], for Cluster; it goes
// in a pipeline (EVAL, not EVALSHA).
const appendScript = appendLua + `
append(KEYS[1], ARGV[1])
return 1
`

// outboxScript adds outgoing messages in triples from ARGV[1] to the
// outbox, KEYS are the outbox's dueSet.keys; for Cluster, in a pipeline.
const outboxScript = scheduleLua + `
schedule(1, 1, #ARGV / 3)
return 1
`

// dueScript makes due changes, for Cluster in a pipeline: it schedules
// ARGV[1] items in triples from ARGV[2], then cancels the ids after them.
// KEYS are dueKeys.
const dueScript = scheduleLua + `
local n = tonumber(ARGV[1])
schedule(1, 2, n)
cancel(1, 2 + 3 * n, #ARGV - 1 - 3 * n)
return 1
`

// Load implements storage.Store.
func (s *Store) Load(ctx context.Context, user storage.UserKey, contractID, event string) (storage.Snapshot, error) {
	if err := checkUser(user); err != nil {
		return storage.Snapshot{}, err
	}
	if s.cluster {
		return s.loadCluster(ctx, user, contractID, event)
	}
	keys := []string{sessionKey(user)}
	if event != "" {
		keys = append(keys, appliedKey(user, event))
	}
	res, err := loadScript.Run(ctx, s.c, keys, contractID, contractKeyPrefix, contractKeySuffix).Slice()
	if err != nil {
		return storage.Snapshot{}, fmt.Errorf("redis: load %s: %w", user.User, err)
	}
	if len(res) != 5 {
		return storage.Snapshot{}, fmt.Errorf("redis: load %s: unexpected reply %v", user.User, res)
	}
	id, _ := res[1].(string)
	applied, _ := res[4].(int64)
	snap := storage.Snapshot{Session: bytesOf(res[0]), ContractID: id, Applied: applied == 1}
	if err := fillContract(&snap, res[2], res[3]); err != nil {
		return storage.Snapshot{}, fmt.Errorf("redis: load %s: %w", user.User, err)
	}
	return snap, nil
}

// loadCluster reads the session, whether the event was applied and, when
// contractID names it, the contract in one pipeline; the session's current
// contract takes a second round trip. The event counts as applied when it
// is marked for the user or for the contract (see saveCluster).
func (s *Store) loadCluster(ctx context.Context, user storage.UserKey, contractID, event string) (storage.Snapshot, error) {
	var (
		sess          *redis.SliceCmd
		applied       *redis.IntCmd
		contract      *redis.SliceCmd
		contractEvent *redis.IntCmd
	)
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		sess = p.HMGet(ctx, sessionKey(user), "data", "contract")
		if event != "" {
			applied = p.Exists(ctx, appliedKey(user, event))
		}
		if contractID != "" {
			contract, contractEvent = loadContract(ctx, p, contractID, event)
		}
		return nil
	})
	if err != nil {
		return storage.Snapshot{}, fmt.Errorf("redis: load session of %s: %w", user.User, err)
	}
	snap := storage.Snapshot{Session: bytesOf(sess.Val()[0]), ContractID: contractID}
	if current, ok := sess.Val()[1].(string); ok && contractID == "" {
		snap.ContractID = current
	}
	if contract == nil && snap.ContractID != "" {
		_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
			contract, contractEvent = loadContract(ctx, p, snap.ContractID, event)
			return nil
		})
		if err != nil {
			return storage.Snapshot{}, fmt.Errorf("redis: load contract %s: %w", snap.ContractID, err)
		}
	}
	if contract != nil {
		if err := fillContract(&snap, contract.Val()[0], contract.Val()[1]); err != nil {
			return storage.Snapshot{}, fmt.Errorf("redis: load %s: %w", user.User, err)
		}
	}
	snap.Applied = applied != nil && applied.Val() == 1 || contractEvent != nil && contractEvent.Val() == 1
	return snap, nil
}

// loadContract queues the reads of a contract and, with an event, of
// whether that event was applied to it.
func loadContract(ctx context.Context, p redis.Pipeliner, id, event string) (*redis.SliceCmd, *redis.IntCmd) {
	c := p.HMGet(ctx, contractKey(id), "rev", "data")
	if event == "" {
		return c, nil
	}
	return c, p.Exists(ctx, contractAppliedKey(id, event))
}

// fillContract sets the contract and revision from the rev and data fields
// of a contract hash (not strings when absent).
func fillContract(snap *storage.Snapshot, rev, data any) error {
	d, ok := data.(string)
	if !ok {
		return nil
	}
	r, err := parseRev(rev)
	if err != nil {
		return fmt.Errorf("contract %s: %w", snap.ContractID, err)
	}
	plain, err := unpack([]byte(d))
	if err != nil {
		return fmt.Errorf("contract %s: %w", snap.ContractID, err)
	}
	snap.Contract, snap.Rev = plain, r
	return nil
}

func parseRev(v any) (int64, error) {
	s, _ := v.(string)
	rev, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad revision %v", v)
	}
	return rev, nil
}

// bytesOf converts a bulk string reply; anything else (a nil reply) is nil.
func bytesOf(v any) []byte {
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	return nil
}

// Save implements storage.Store. On a single node or Sentinel it is one
// script: one round trip, atomic.
func (s *Store) Save(ctx context.Context, w storage.TurnWrite) error {
	if err := w.Check(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	sess := sessionKey(w.User)
	args := make([]any, argOut, argOut+3*len(w.Out)+3*len(w.Due.Schedule)+len(w.Due.Cancel))
	for i := range args {
		args[i] = ""
	}
	args[argWriteSession] = "0"
	if w.Session != nil {
		args[argWriteSession], args[argSession], args[argCurrent] = "1", w.Session, w.CurrentContract
		args[argSessionTTL] = ttlMillis(storage.SessionTTL)
	}
	event := sess
	if w.Event != "" {
		event = appliedKey(w.User, w.Event)
		args[argEvent], args[argEventTTL] = w.Event, strconv.FormatInt(ceilMillis(w.EventTTL), 10)
	}
	if c := w.Contract; c != nil {
		args[argContractID], args[argContract] = c.ID, pack(c.Data)
		args[argRev], args[argNextRev] = strconv.FormatInt(c.Rev, 10), strconv.FormatInt(c.Rev+1, 10)
	}
	args[argOutCount], args[argScheduleCount] = len(w.Out), len(w.Due.Schedule)
	args[argCancelCount], args[argLockCount] = len(w.Due.Cancel), len(w.Due.Locks)
	args = appendItems(args, w.Out)
	if s.cluster {
		return s.saveCluster(ctx, w, event, args)
	}
	args = appendItems(args, w.Due.Schedule)
	for _, id := range w.Due.Cancel {
		args = append(args, id)
	}
	keys := []string{sess, event, sess}
	if c := w.Contract; c != nil {
		keys[2] = contractKey(c.ID)
	}
	keys = append(keys, s.outbox(w.User.Platform).keys...)
	keys = append(keys, dueKeys...)
	for _, l := range w.Due.Locks {
		keys = append(keys, lockPrefix+l.Name)
		now, ends, ttl := lockTimes(l.TTL, l.Now)
		args = appendItems(append(args, now, ends, ttl, len(l.Items)), l.Items)
	}
	if w.Contract != nil {
		keys = append(keys, listKeys(w.Contract.Users)...)
	}
	res, err := saveScript.Run(ctx, s.c, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("redis: save %s: %w", w.User.User, err)
	}
	return saveResult(res, w)
}

// appendItems appends items to script arguments as triples: id, due time
// in unix ms, item value.
func appendItems(args []any, items []storage.DueItem) []any {
	for _, it := range items {
		at := it.At.UnixMilli()
		args = append(args, it.ID, at, itemValue(at, it.Group, it.Data))
	}
	return args
}

// saveResult turns a save script's reply into Save's error.
func saveResult(res int, w storage.TurnWrite) error {
	switch res {
	case saved:
		return nil
	case savedApplied:
		return fmt.Errorf("event %s: %w", w.Event, storage.ErrApplied)
	case savedConflict:
		return fmt.Errorf("contract %s: %w", w.Contract.ID, storage.ErrConflict)
	}
	return fmt.Errorf("redis: save %s: unexpected reply %d", w.User.User, res)
}

// saveCluster saves a turn on Redis Cluster in up to four steps, each
// one round trip: the contract (with its revision check, and the event
// marked applied to it), then with an event the event and the session,
// then the locks of the due changes, then what is left of session, user
// lists, outgoing messages and due changes. A step goes only when the
// ones before it succeeded. event is the applied event key and args
// saveScript's arguments up to the outgoing messages.
func (s *Store) saveCluster(ctx context.Context, w storage.TurnWrite, event string, args []any) error {
	token := newSaveToken()
	// What follows the step that commits the turn, which the journal
	// keeps until the last step.
	rest := w.Contract != nil && len(w.Contract.Users) > 0 || len(w.Out) > 0 ||
		len(w.Due.Schedule)+len(w.Due.Cancel)+len(w.Due.Locks) > 0
	var jdata []byte
	if rest || w.Contract != nil && (w.Session != nil || w.Event != "") {
		var err error
		if jdata, err = json.Marshal(journalOf(w)); err != nil {
			return fmt.Errorf("redis: save turn of %s: %w", w.User.User, err)
		}
	}
	journalKey := ""
	if c := w.Contract; c != nil {
		keys := []string{contractKey(c.ID), contractJournalKey(c.ID)}
		if w.Event != "" {
			keys = append(keys, contractAppliedKey(c.ID, w.Event))
		}
		res, err := casScript.Run(ctx, s.c, keys, args[argRev], args[argNextRev], args[argContract], args[argEventTTL], token, jdata).Int()
		if err != nil {
			return fmt.Errorf("redis: save contract %s: %w", c.ID, err)
		}
		if err := saveResult(res, w); err != nil {
			return err
		}
		if jdata != nil {
			journalKey = keys[1]
		}
		if err := s.step(1); err != nil {
			return err
		}
	}
	sess := sessionKey(w.User)
	// The session goes with the event, or it commits a turn without a
	// contract; else it goes in the last pipeline.
	sessionLater := w.Contract != nil && w.Event == "" && w.Session != nil
	if w.Event != "" || w.Contract == nil && (w.Session != nil || jdata != nil) {
		keys := []string{sess, event, sess}
		argv := append(slices.Clip(args[:argContractID]), token, "")
		if w.Contract == nil && jdata != nil {
			keys[2], argv[len(argv)-1] = userJournalKey(w.User), jdata
		}
		res, err := turnScript.Run(ctx, s.c, keys, argv...).Int()
		if err != nil {
			return fmt.Errorf("redis: save session of %s: %w", w.User.User, err)
		}
		if err := saveResult(res, w); err != nil {
			if journalKey != "" {
				s.c.HDel(ctx, journalKey, token) // another run applied the event: nothing to finish
			}
			return err
		}
		if w.Contract == nil && jdata != nil {
			journalKey = keys[2]
		}
		if err := s.step(2); err != nil {
			return err
		}
	}
	schedule, err := s.lockCluster(ctx, w.Due)
	if err != nil {
		return fmt.Errorf("redis: save turn of %s: %w", w.User.User, err)
	}
	if err := s.step(3); err != nil {
		return err
	}
	if err := s.writeRest(ctx, w, schedule, sessionLater); err != nil {
		return fmt.Errorf("redis: save turn of %s: %w", w.User.User, err)
	}
	if err := s.step(4); err != nil {
		return err
	}
	if journalKey == "" {
		return nil
	}
	if err := s.c.HDel(ctx, journalKey, token).Err(); err != nil {
		return fmt.Errorf("redis: save turn of %s: finish: %w", w.User.User, err)
	}
	return nil
}

// step calls the test hook after a step of a Cluster save.
func (s *Store) step(n int) error {
	if s.afterStep == nil {
		return nil
	}
	return s.afterStep(n)
}

// writeRest writes what a Cluster save writes in its last step, in one
// pipeline: with session, the session; the contract into the user lists,
// the outgoing messages and the due changes (schedule, and w.Due.Cancel).
func (s *Store) writeRest(ctx context.Context, w storage.TurnWrite, schedule []storage.DueItem, session bool) error {
	var lists []string
	if w.Contract != nil {
		lists = listKeys(w.Contract.Users)
	}
	due := len(schedule) > 0 || len(w.Due.Cancel) > 0
	if !session && len(lists) == 0 && len(w.Out) == 0 && !due {
		return nil
	}
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		if session {
			p.Eval(ctx, sessionAtScript, []string{sessionKey(w.User)}, w.Session, w.CurrentContract, ttlMillis(storage.SessionTTL))
		}
		for _, k := range lists {
			p.Eval(ctx, appendScript, []string{k}, w.Contract.ID)
		}
		if len(w.Out) > 0 {
			p.Eval(ctx, outboxScript, s.outbox(w.User.Platform).keys, appendItems(nil, w.Out)...)
		}
		if due {
			dueArgs := appendItems([]any{len(schedule)}, schedule)
			for _, id := range w.Due.Cancel {
				dueArgs = append(dueArgs, id)
			}
			p.Eval(ctx, dueScript, dueKeys, dueArgs...)
		}
		return nil
	})
	return err
}

// lockCluster takes the locks of due changes on Cluster, where they live
// in other slots than the due set, in one pipeline, and returns the items
// to schedule: ch.Schedule, and the items of the locks it got.
func (s *Store) lockCluster(ctx context.Context, ch storage.DueChanges) ([]storage.DueItem, error) {
	if len(ch.Locks) == 0 {
		return ch.Schedule, nil
	}
	got := make([]*redis.Cmd, len(ch.Locks))
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, l := range ch.Locks {
			now, ends, ttl := lockTimes(l.TTL, l.Now)
			got[i] = lockScript.Eval(ctx, p, []string{lockPrefix + l.Name}, now, ends, ttl)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("locks: %w", err)
	}
	schedule := ch.Schedule
	for i, l := range ch.Locks {
		if n, _ := got[i].Int(); n == 1 {
			schedule = append(slices.Clip(schedule), l.Items...)
		}
	}
	return schedule, nil
}

// listKeys returns the contract-list keys of users, without duplicates.
func listKeys(users []storage.UserKey) []string {
	keys := make([]string, 0, len(users))
	seen := make(map[storage.UserKey]bool, len(users))
	for _, u := range users {
		if !seen[u] {
			seen[u] = true
			keys = append(keys, contractsKey(u))
		}
	}
	return keys
}

func ttlMillis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// Contract implements storage.Store.
func (s *Store) Contract(ctx context.Context, id string) ([]byte, int64, error) {
	res, err := s.c.HMGet(ctx, contractKey(id), "rev", "data").Result()
	if err != nil {
		return nil, 0, fmt.Errorf("redis: contract %s: %w", id, err)
	}
	snap := storage.Snapshot{ContractID: id}
	if err := fillContract(&snap, res[0], res[1]); err != nil {
		return nil, 0, fmt.Errorf("redis: %w", err)
	}
	if snap.Contract == nil {
		return nil, 0, fmt.Errorf("contract %s: %w", id, storage.ErrNotFound)
	}
	return snap.Contract, snap.Rev, nil
}

// Contracts implements storage.Store.
func (s *Store) Contracts(ctx context.Context, user storage.UserKey) ([]string, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	ids, err := s.c.ZRange(ctx, contractsKey(user), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: contracts of %s: %w", user.User, err)
	}
	return ids, nil
}

// FirstSeen implements storage.Store. A ttl under a millisecond counts as
// one millisecond.
func (s *Store) FirstSeen(ctx context.Context, eventID string, ttl time.Duration) (bool, error) {
	if eventID == "" {
		return false, errors.New("redis: empty event id")
	}
	if ttl <= 0 {
		return false, fmt.Errorf("redis: event ttl must be positive, got %s", ttl)
	}
	ttl = max(ttl, time.Millisecond)
	first, err := s.c.SetArgs(ctx, seenKey(eventID), "1", redis.SetArgs{Mode: "NX", TTL: ttl}).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redis: first seen %s: %w", eventID, err)
	}
	return first == "OK", nil
}

func checkUser(u storage.UserKey) error {
	if err := storage.CheckUser(u); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}
