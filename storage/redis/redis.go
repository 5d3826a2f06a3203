// Package redis is the production storage.Store, on Redis (single node,
// Sentinel or Cluster) through go-redis.
//
// Keys:
//
//	lp:{c:ID}:contract                    hash: rev, data (the contract JSON)
//	lp:session:PLATFORM:TEAM:USER         hash: data (session JSON), contract (current id);
//	                                      TTL storage.SessionTTL, refreshed by every Save
//	lp:user:PLATFORM:TEAM:USER:contracts  sorted set of contract ids, scored 0, 1, 2… in the order added
//	lp:seen:EVENTID                       string, SET NX PX
//	lp:{due}, lp:{due}:items, lp:{due}:leases, lp:lock:NAME
//	                                      due items and locks, see due.go
//	lp:{out}, lp:{out}:items, lp:{out}:leases, lp:{out}:lock:NAME
//	                                      the outbox, a second due set (Store.Outbox)
//	lp:doc:KEY                            hash: rev, data; no TTL (storage.Docs: learning
//	                                      sets, shared drafts' threads, Teams conversation references)
//
// Colons and percent signs inside platform, team and user ids are escaped
// (%3A, %25), so "29:abc" (a Teams user id) cannot be mistaken for two parts.
//
// On a single node or Sentinel, Load and Save are one Lua script each: one
// round trip, and Save is atomic. A script may only touch keys of one hash
// slot in Redis Cluster, and these touch several (session, contract, user
// lists). With a *redis.ClusterClient, Save first runs a compare-and-set
// script on the contract key alone, then writes the session and lists;
// Load reads the session, then the contract. A Cluster turn therefore takes
// two round trips and a crash between the two steps can leave the contract
// saved without the session that led to it.
package redis

import (
	"context"
	"errors"
	"fmt"
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
	// dueSet makes the Store the storage.DueStore of due items.
	dueSet
	outbox *dueSet
}

// New returns a store on c. The store owns c: Close closes it.
func New(c redis.UniversalClient) *Store {
	_, cluster := c.(*redis.ClusterClient)
	return &Store{
		c:       c,
		cluster: cluster,
		dueSet:  dueSet{client: c, keys: dueKeys, lockPrefix: lockPrefix},
		outbox:  &dueSet{client: c, keys: outboxKeys, lockPrefix: outboxLockPrefix},
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

// UserPrefix returns the key prefix for one user, "lp:user:PLATFORM:TEAM:USER";
// other per-user keys (a profile cache) hang off it.
func UserPrefix(u storage.UserKey) string { return "lp:user:" + userPart(u) }

var escaper = strings.NewReplacer("%", "%25", ":", "%3A")

func userPart(u storage.UserKey) string {
	return escaper.Replace(u.Platform) + ":" + escaper.Replace(u.Team) + ":" + escaper.Replace(u.User)
}

// loadScript reads the session, takes its current contract when none was
// asked for, and reads that contract. The contract key is built here from
// the id, which only works where every key lives on one node.
//
// KEYS[1] session; ARGV[1] contract id or "", ARGV[2..3] contract key
// prefix and suffix. Returns {session, contract id, rev, contract}.
var loadScript = redis.NewScript(`
local s = redis.call('HMGET', KEYS[1], 'data', 'contract')
local id = ARGV[1]
if id == '' and s[2] then id = s[2] end
if id == '' then return {s[1], id, false, false} end
local c = redis.call('HMGET', ARGV[2] .. id .. ARGV[3], 'rev', 'data')
return {s[1], id, c[1], c[2]}
`)

// saveScript checks the contract's revision and, if it matches, writes the
// contract, adds it to the user lists and writes the session. On a
// mismatch it writes nothing and returns 0.
//
// KEYS[1] session, KEYS[2] contract, KEYS[3..] user lists.
// ARGV: 1 write session ("1"/"0"), 2 session, 3 current contract id,
// 4 session TTL in ms, 5 contract id ("" for none), 6 expected rev,
// 7 new rev, 8 contract.
var saveScript = redis.NewScript(`
local id = ARGV[5]
if id ~= '' then
  local rev = redis.call('HGET', KEYS[2], 'rev') or '0'
  if rev ~= ARGV[6] then return 0 end
  redis.call('HSET', KEYS[2], 'rev', ARGV[7], 'data', ARGV[8])
  for i = 3, #KEYS do
    if not redis.call('ZSCORE', KEYS[i], id) then
      local last = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
      local n = 0
      if last[2] then n = tonumber(last[2]) + 1 end
      redis.call('ZADD', KEYS[i], n, id)
    end
  end
end
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'data', ARGV[2], 'contract', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
`)

// casScript is the contract half of saveScript, for Cluster.
// KEYS[1] contract; ARGV: 1 expected rev, 2 new rev, 3 contract.
var casScript = redis.NewScript(`
local rev = redis.call('HGET', KEYS[1], 'rev') or '0'
if rev ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'data', ARGV[3])
return 1
`)

// appendScript is the user-list half of saveScript, for Cluster.
// KEYS[1] user list; ARGV[1] contract id.
const appendScript = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  local n = 0
  if last[2] then n = tonumber(last[2]) + 1 end
  redis.call('ZADD', KEYS[1], n, ARGV[1])
end
return 1
`

// Load implements storage.Store.
func (s *Store) Load(ctx context.Context, user storage.UserKey, contractID string) (storage.Snapshot, error) {
	if err := checkUser(user); err != nil {
		return storage.Snapshot{}, err
	}
	if s.cluster {
		return s.loadCluster(ctx, user, contractID)
	}
	res, err := loadScript.Run(ctx, s.c, []string{sessionKey(user)}, contractID, contractKeyPrefix, contractKeySuffix).Slice()
	if err != nil {
		return storage.Snapshot{}, fmt.Errorf("redis: load %s: %w", user.User, err)
	}
	if len(res) != 4 {
		return storage.Snapshot{}, fmt.Errorf("redis: load %s: unexpected reply %v", user.User, res)
	}
	id, _ := res[1].(string)
	snap := storage.Snapshot{Session: bytesOf(res[0]), ContractID: id}
	if err := fillContract(&snap, res[2], res[3]); err != nil {
		return storage.Snapshot{}, fmt.Errorf("redis: load %s: %w", user.User, err)
	}
	return snap, nil
}

func (s *Store) loadCluster(ctx context.Context, user storage.UserKey, contractID string) (storage.Snapshot, error) {
	sess, err := s.c.HMGet(ctx, sessionKey(user), "data", "contract").Result()
	if err != nil {
		return storage.Snapshot{}, fmt.Errorf("redis: load session of %s: %w", user.User, err)
	}
	snap := storage.Snapshot{Session: bytesOf(sess[0]), ContractID: contractID}
	if current, ok := sess[1].(string); ok && contractID == "" {
		snap.ContractID = current
	}
	if snap.ContractID == "" {
		return snap, nil
	}
	c, err := s.c.HMGet(ctx, contractKey(snap.ContractID), "rev", "data").Result()
	if err != nil {
		return storage.Snapshot{}, fmt.Errorf("redis: load contract %s: %w", snap.ContractID, err)
	}
	if err := fillContract(&snap, c[0], c[1]); err != nil {
		return storage.Snapshot{}, fmt.Errorf("redis: load %s: %w", user.User, err)
	}
	return snap, nil
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

// Save implements storage.Store.
func (s *Store) Save(ctx context.Context, user storage.UserKey, session []byte, currentContract string, c *storage.ContractWrite) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if err := checkWrite(c); err != nil {
		return err
	}
	if s.cluster {
		return s.saveCluster(ctx, user, session, currentContract, c)
	}
	keys := []string{sessionKey(user)}
	args := []any{"0", "", "", "", "", "", "", ""}
	if session != nil {
		args[0], args[1], args[2], args[3] = "1", session, currentContract, ttlMillis(storage.SessionTTL)
	}
	if c != nil {
		keys = append(keys, contractKey(c.ID))
		keys = append(keys, listKeys(c.Users)...)
		args[4], args[5], args[6], args[7] = c.ID, strconv.FormatInt(c.Rev, 10), strconv.FormatInt(c.Rev+1, 10), pack(c.Data)
	}
	ok, err := saveScript.Run(ctx, s.c, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("redis: save %s: %w", user.User, err)
	}
	if ok == 0 {
		return storage.ErrConflict
	}
	return nil
}

func (s *Store) saveCluster(ctx context.Context, user storage.UserKey, session []byte, currentContract string, c *storage.ContractWrite) error {
	if c != nil {
		ok, err := casScript.Run(ctx, s.c, []string{contractKey(c.ID)},
			strconv.FormatInt(c.Rev, 10), strconv.FormatInt(c.Rev+1, 10), pack(c.Data)).Int()
		if err != nil {
			return fmt.Errorf("redis: save contract %s: %w", c.ID, err)
		}
		if ok == 0 {
			return storage.ErrConflict
		}
	}
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		if c != nil {
			for _, k := range listKeys(c.Users) {
				p.Eval(ctx, appendScript, []string{k}, c.ID)
			}
		}
		if session != nil {
			k := sessionKey(user)
			p.HSet(ctx, k, "data", session, "contract", currentContract)
			p.PExpire(ctx, k, storage.SessionTTL)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: save session of %s: %w", user.User, err)
	}
	return nil
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

func checkWrite(c *storage.ContractWrite) error {
	if err := c.Check(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}
