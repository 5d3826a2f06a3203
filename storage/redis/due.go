package redis

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/storage"
)

var (
	_ storage.DueStore = (*Store)(nil)
	_ storage.DueStore = (*dueSet)(nil)
)

// Due items live in three keys under one hash tag, so that the scripts
// below may touch all three in Redis Cluster. That puts every due item in
// one slot, on one node: fine for the scale targeted (a million items
// take about 280 MB; see BenchmarkClaim10k), but the due set does not
// spread over a cluster.
//
//	lp:{due}         sorted set: id scored by when it is claimable (unix ms):
//	                 its At, or its lease's end while claimed
//	lp:{due}:items   hash: id → "AT:DATA" (AT in unix ms)
//	lp:{due}:leases  hash: id → "ATTEMPT:TOKEN", from the first claim on;
//	                 the token is empty once the item is released
//	lp:{due}:held    hash: group → "UNTIL:N:NOTBEFORE:HOLDER", for groups
//	                 whose items are claimed (see storage.DueItem.Group)
//	lp:{due}:by:HOLDER
//	                 set: the groups HOLDER holds, kept for GroupHold more
//	                 by each of its claims
//	lp:lock:NAME     string: end of the lock (unix ms), expiring with it
//
// A claim moves the item's score to the lease's end, so one range query
// finds both items that are due and claims whose lease ran out.
//
// An item of a group is kept as "AT#LEN:GROUPDATA", LEN being the group's
// length in bytes. A claim token is "HOLDER.RANDOM", so that the scripts
// know whose claim they settle. The held hash counts the N claims of a
// group that its HOLDER has not settled, held until UNTIL (GroupHold after
// the holder's latest claim); NOTBEFORE (0 for none) is the latest time an item of the
// group was given back to, before which no item of the group is claimed
// once the holder has settled the rest.
//
// Each platform's outbox (Store.Outbox) is a set of the same shape under
// its own hash tag: Slack's keeps the keys it had when it was the only one,
// lp:{out}, lp:{out}:items, lp:{out}:leases and lp:{out}:lock:NAME, so
// messages stored before an upgrade are still delivered; any other
// platform's are lp:{out:PLATFORM}, lp:{out:PLATFORM}:items, … (the name
// escaped as in user keys).
const (
	dueKey       = "lp:{due}"
	dueItemsKey  = "lp:{due}:items"
	dueLeasesKey = "lp:{due}:leases"
	lockPrefix   = "lp:lock:"

	slackOutboxKey = "lp:{out}"
)

var dueKeys = []string{dueKey, dueItemsKey, dueLeasesKey}

// outboxKey returns the key of a platform's outbox sorted set, which the
// set's other keys extend.
func outboxKey(platform string) string {
	if platform == "slack" {
		return slackOutboxKey
	}
	return "lp:{out:" + escaper.Replace(platform) + "}"
}

// outbox returns a platform's outbox.
func (s *Store) outbox(platform string) *dueSet {
	k := outboxKey(platform)
	return &dueSet{client: s.c, keys: []string{k, k + ":items", k + ":leases"}, held: k + ":held", lockPrefix: k + ":lock:"}
}

// dueSet is a storage.DueStore on one set of keys.
type dueSet struct {
	client redis.UniversalClient
	// keys are the sorted set, the items hash and the leases hash, in the
	// order the scripts take them.
	keys       []string
	held       string // the held hash
	lockPrefix string
	// holder names this value as the holder of its claims' groups.
	holder string
	// renewed is when (unix ms, the callers' clock) a claim last kept the
	// holder's groups for GroupHold more.
	renewed *atomic.Int64
}

// renewDue reports, as the claim script's flag, whether a claim at nowMs
// keeps the holder's groups: once every third of GroupHold, so a holder
// that claims often keeps them without each claim visiting every group it
// holds.
func (d *dueSet) renewDue(nowMs int64) string {
	if d.renewed == nil {
		return "1"
	}
	last := d.renewed.Load()
	if nowMs-last < storage.GroupHold.Milliseconds()/3 && nowMs >= last {
		return "0"
	}
	d.renewed.Store(nowMs)
	return "1"
}

// Outbox returns the outbox of a platform: a DueStore kept apart from the
// due items and from the other platforms' outboxes under keys of its own,
// for messages waiting to be delivered. Each call returns a new holder of
// groups (see storage.DueItem.Group).
func (s *Store) Outbox(platform string) storage.DueStore {
	d := s.outbox(platform)
	d.holder, d.renewed = rand.Text(), new(atomic.Int64)
	return d
}

// scriptKeys are the keys the claiming scripts take: the set's and its
// held hash.
func (d *dueSet) scriptKeys() []string {
	return append(d.keys[:len(d.keys):len(d.keys)], d.held)
}

// Stores returns the store and everything it keeps, named "redis".
func (s *Store) Stores() storage.Stores {
	return storage.Stores{Name: "redis", Turns: s, Docs: s, Due: s, Erase: s, Library: s, Outbox: s.Outbox}
}

// groupLua defines the functions the scripts share on groups and the
// held hash, KEYS[4]: groupOf(v), the group of an item value or nil;
// holderOf(lease), the holder of a "ATTEMPT:TOKEN" lease or nil; and a
// cache of the held hash (heldOf, setHeld) written back by flushHeld.
const groupLua = `
local function groupOf(v)
  local n, pos = string.match(v, '^%d+#(%d+):()')
  if not n then return nil end
  return string.sub(v, pos, pos + tonumber(n) - 1)
end
local function holderOf(lease)
  if not lease then return nil end
  return string.match(lease, '^%d+:([^.]+)%.')
end
local heldCache, heldDirty = {}, {}
local function heldOf(g)
  local h = heldCache[g]
  if h == nil then
    h = false
    local v = redis.call('HGET', KEYS[4], g)
    if v then
      local u, n, nb, who = string.match(v, '^(%d+):(%d+):(%d+):(.*)$')
      if u then h = {tonumber(u), tonumber(n), tonumber(nb), who} end
    end
    heldCache[g] = h
  end
  return h
end
local function setHeld(g, h)
  heldCache[g] = h
  heldDirty[g] = true
end
local function flushHeld()
  local put, gone = {}, {}
  for g in pairs(heldDirty) do
    local h = heldCache[g]
    if h then
      put[#put + 1] = g
      put[#put + 1] = string.format('%d:%d:%d:%s', h[1], h[2], h[3], h[4])
    else
      gone[#gone + 1] = g
    end
  end
  if #put > 0 then redis.call('HSET', KEYS[4], unpack(put)) end
  if #gone > 0 then redis.call('HDEL', KEYS[4], unpack(gone)) end
end
-- settled records that the claim of an item of group g by holder who is
-- settled: done, or given back to at (nil for done).
local function settled(g, who, at)
  local h = heldOf(g)
  if not h or h[4] ~= who or h[2] == 0 then return end
  local n, nb = h[2] - 1, h[3]
  if at and at > nb then nb = at end
  if n > 0 then
    setHeld(g, {h[1], n, nb, who})
  elseif nb > 0 then
    setHeld(g, {nb, 0, 0, ''})
  else
    setHeld(g, false)
  end
end
`

// claimScript leases up to ARGV[2] items claimable at ARGV[1] until
// ARGV[3] with token ARGV[4] for holder ARGV[5], whose groups it holds for
// ARGV[6] ms more when ARGV[7] is "1" (see dueSet.renewDue). It returns
// id, attempt and "AT:DATA" for each. KEYS are dueKeys, the held hash and
// the set of the holder's groups. It skips
// the items of groups another holder holds at ARGV[1] (looking past at
// most 2,000 of them) and reads and writes in chunks of at most 500
// ids, far below Lua's limit on unpacked arguments, so that each item
// costs no command of its own. An id without an item (never written so
// by this package) is dropped.
var claimScript = redis.NewScript(groupLua + `
local now, limit, untilMs, me = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[5]
local hold = now + tonumber(ARGV[6])
if ARGV[7] == '1' then
  for _, g in ipairs(redis.call('SMEMBERS', KEYS[5])) do
    local h = heldOf(g)
    if h and h[4] == me and h[2] > 0 and h[1] > now then
      setHeld(g, {math.max(h[1], hold), h[2], h[3], me})
    else
      redis.call('SREM', KEYS[5], g)
    end
  end
  -- Forget a few holds that ended (a holder that died leaves its own).
  local sample = redis.call('HRANDFIELD', KEYS[4], 20)
  for _, g in ipairs(sample) do
    local h = heldOf(g)
    if h and h[1] <= now then setHeld(g, false) end
  end
end
local out, skipped, taken = {}, 0, 0
while taken < limit and skipped <= 2000 do
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', skipped, math.min(limit - taken, 500))
  if #ids == 0 then break end
  local items = redis.call('HMGET', KEYS[2], unpack(ids))
  local leases = redis.call('HMGET', KEYS[3], unpack(ids))
  local scores, claims, stale = {}, {}, {}
  for j, id in ipairs(ids) do
    local item = items[j]
    if item then
      local g, take = groupOf(item), true
      if g then
        local h = heldOf(g)
        if h and h[1] > now and h[4] ~= me then
          take = false
        elseif h and h[1] > now then
          local n = h[2]
          if holderOf(leases[j]) ~= me then n = n + 1 end
          setHeld(g, {math.max(h[1], hold), n, h[3], me})
        else
          setHeld(g, {hold, 1, 0, me})
          redis.call('SADD', KEYS[5], g)
        end
      end
      if take then
        local n = 1
        if leases[j] then n = tonumber(string.match(leases[j], '^%d+')) + 1 end
        scores[#scores + 1] = untilMs
        scores[#scores + 1] = id
        claims[#claims + 1] = id
        claims[#claims + 1] = n .. ':' .. ARGV[4]
        out[#out + 1] = id
        out[#out + 1] = n
        out[#out + 1] = item
        taken = taken + 1
      else
        skipped = skipped + 1
      end
    else
      stale[#stale + 1] = id
    end
  end
  if #scores > 0 then
    redis.call('ZADD', KEYS[1], unpack(scores))
    redis.call('HSET', KEYS[3], unpack(claims))
  end
  if #stale > 0 then
    redis.call('ZREM', KEYS[1], unpack(stale))
    redis.call('HDEL', KEYS[3], unpack(stale))
  end
end
flushHeld()
if redis.call('SCARD', KEYS[5]) > 0 then redis.call('PEXPIRE', KEYS[5], 2 * tonumber(ARGV[6])) end
return out
`)

// holdsLua checks that the claim with token ARGV[2] on item ARGV[1] still
// holds, and leaves the lease in the local lease.
const holdsLua = `
local lease = redis.call('HGET', KEYS[3], ARGV[1])
if not lease then return 0 end
local sep = string.find(lease, ':', 1, true)
if string.sub(lease, sep + 1) ~= ARGV[2] then return 0 end
`

// doneScript removes the items of claims that still hold. ARGV are pairs
// of item id and claim token; it returns 1 for each pair whose item it
// removed, 0 for each whose claim does not hold (or whose item an earlier
// pair removed). KEYS are dueKeys and the held hash. Like claimScript it
// reads and writes in chunks of 500 items.
var doneScript = redis.NewScript(groupLua + `
local out, gone = {}, {}
for i = 1, #ARGV, 1000 do
  local ids, tokens = {}, {}
  for j = i, math.min(i + 998, #ARGV - 1), 2 do
    ids[#ids + 1] = ARGV[j]
    tokens[#tokens + 1] = ARGV[j + 1]
  end
  local leases = redis.call('HMGET', KEYS[3], unpack(ids))
  local items = redis.call('HMGET', KEYS[2], unpack(ids))
  local done = {}
  for k, id in ipairs(ids) do
    local ok = 0
    local lease = leases[k]
    if lease and not gone[id] then
      local sep = string.find(lease, ':', 1, true)
      if sep and string.sub(lease, sep + 1) == tokens[k] then
        ok = 1
        gone[id] = true
        done[#done + 1] = id
        local g = items[k] and groupOf(items[k])
        if g then settled(g, holderOf(lease), nil) end
      end
    end
    out[#out + 1] = ok
  end
  if #done > 0 then
    redis.call('ZREM', KEYS[1], unpack(done))
    redis.call('HDEL', KEYS[2], unpack(done))
    redis.call('HDEL', KEYS[3], unpack(done))
  end
end
flushHeld()
return out
`)

// releaseScript makes item ARGV[1] due at ARGV[3] if claim token ARGV[2]
// holds, keeping its attempt count and group; it returns 0 if it does
// not. KEYS are dueKeys and the held hash.
var releaseScript = redis.NewScript(groupLua + holdsLua + `
local item = redis.call('HGET', KEYS[2], ARGV[1])
if not item then return 0 end
local digits = string.match(item, '^%d+')
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. string.sub(item, #digits + 1))
redis.call('HSET', KEYS[3], ARGV[1], string.sub(lease, 1, sep))
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
local g = groupOf(item)
if g then
  settled(g, holderOf(lease), tonumber(ARGV[3]))
  flushHeld()
end
return 1
`)

// lockLua defines lock(k, now, ends, ttl), which takes lock k until ends
// unless it is held at now, and reports whether it took it; ttl is in ms.
const lockLua = `
local function lock(k, now, ends, ttl)
  local e = redis.call('GET', k)
  if e and tonumber(e) > tonumber(now) then return false end
  redis.call('SET', k, ends, 'PX', ttl)
  return true
end
`

// lockScript takes lock KEYS[1] until ARGV[2] unless it is held at
// ARGV[1]; ARGV[3] is the ttl in ms.
var lockScript = redis.NewScript(lockLua + `
if lock(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 1 end
return 0
`)

// Schedule implements storage.DueStore in one transaction.
func (d *dueSet) Schedule(ctx context.Context, items ...storage.DueItem) error {
	if len(items) == 0 {
		return nil
	}
	scores := make([]redis.Z, len(items))
	fields := make([]any, 0, 2*len(items))
	ids := make([]string, len(items))
	for i, it := range items {
		if it.ID == "" {
			return errors.New("redis: schedule: item without id")
		}
		if it.At.IsZero() {
			return fmt.Errorf("redis: schedule %s: no due time", it.ID)
		}
		at := it.At.UnixMilli()
		scores[i] = redis.Z{Score: float64(at), Member: it.ID}
		fields = append(fields, it.ID, itemValue(at, it.Group, it.Data))
		ids[i] = it.ID
	}
	_, err := d.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, d.keys[0], scores...)
		p.HSet(ctx, d.keys[1], fields...)
		p.HDel(ctx, d.keys[2], ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: schedule %d items: %w", len(items), err)
	}
	return nil
}

// Cancel implements storage.DueStore in one transaction.
func (d *dueSet) Cancel(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		if id == "" {
			return errors.New("redis: cancel: empty id")
		}
		members[i] = id
	}
	_, err := d.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, d.keys[0], members...)
		p.HDel(ctx, d.keys[1], ids...)
		p.HDel(ctx, d.keys[2], ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: cancel %d items: %w", len(ids), err)
	}
	return nil
}

// Claim implements storage.DueStore in one script. The script holds the
// server while it runs, about 3 µs per item: keep limit to hundreds or a
// few thousands.
func (d *dueSet) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.Claim, error) {
	if err := storage.CheckClaimArgs(now, limit, lease); err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	nowMs := now.UnixMilli()
	until := nowMs + ceilMillis(lease)
	holder := d.holder
	if holder == "" {
		holder = "store"
	}
	token := holder + "." + rand.Text()
	res, err := claimScript.Run(ctx, d.client, append(d.scriptKeys(), d.keys[0]+":by:"+holder),
		nowMs, limit, until, token, holder, storage.GroupHold.Milliseconds(), d.renewDue(nowMs)).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: claim: %w", err)
	}
	if len(res)%3 != 0 {
		return nil, fmt.Errorf("redis: claim: unexpected reply of %d values", len(res))
	}
	claims := make([]storage.Claim, 0, len(res)/3)
	for i := 0; i < len(res); i += 3 {
		id, _ := res[i].(string)
		attempt, _ := res[i+1].(int64)
		item, _ := res[i+2].(string)
		at, group, data, err := parseItem(item)
		if err != nil {
			return nil, fmt.Errorf("redis: claim: item %q: %w", id, err)
		}
		claims = append(claims, storage.Claim{
			Item:    storage.DueItem{ID: id, At: at, Data: data, Group: group},
			Token:   token,
			Until:   time.UnixMilli(until).UTC(),
			Attempt: int(attempt),
		})
	}
	return claims, nil
}

// itemValue is how an item due at unix ms at is kept in the items hash:
// "AT:DATA", or "AT#LEN:GROUPDATA" in a group. Save writes outgoing
// messages the same way.
func itemValue(at int64, group string, data []byte) []byte {
	v := strconv.AppendInt(make([]byte, 0, 42+len(group)+len(data)), at, 10)
	if group != "" {
		v = strconv.AppendInt(append(v, '#'), int64(len(group)), 10)
		v = append(append(v, ':'), group...)
		return append(v, data...)
	}
	return append(append(v, ':'), data...)
}

// parseItem splits a value of the items hash (see itemValue).
func parseItem(v string) (at time.Time, group string, data []byte, err error) {
	head, rest, ok := strings.Cut(v, ":")
	ats, glen, grouped := strings.Cut(head, "#")
	ms, err := strconv.ParseInt(ats, 10, 64)
	if !ok || err != nil {
		return time.Time{}, "", nil, fmt.Errorf("bad stored value %.40q", v)
	}
	if grouped {
		n, err := strconv.Atoi(glen)
		if err != nil || n < 0 || n > len(rest) {
			return time.Time{}, "", nil, fmt.Errorf("bad stored value %.40q", v)
		}
		group, rest = rest[:n], rest[n:]
	}
	return time.UnixMilli(ms).UTC(), group, []byte(rest), nil
}

// Done implements storage.DueStore.
func (d *dueSet) Done(ctx context.Context, c storage.Claim) error {
	res, err := d.DoneAll(ctx, c)
	if err != nil {
		return err
	}
	return res[0]
}

// DoneAll implements storage.DueStore in one script, which holds the
// server about as long per item as Claim's.
func (d *dueSet) DoneAll(ctx context.Context, claims ...storage.Claim) ([]error, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	args := make([]any, 0, 2*len(claims))
	for _, c := range claims {
		if err := checkClaim(c); err != nil {
			return nil, err
		}
		args = append(args, c.Item.ID, c.Token)
	}
	what := claims[0].Item.ID
	if len(claims) > 1 {
		what = fmt.Sprintf("%d items", len(claims))
	}
	res, err := doneScript.Run(ctx, d.client, d.scriptKeys(), args...).Int64Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: done %s: %w", what, err)
	}
	if len(res) != len(claims) {
		return nil, fmt.Errorf("redis: done %s: unexpected reply of %d values", what, len(res))
	}
	results := make([]error, len(claims))
	for i, ok := range res {
		if ok == 0 {
			results[i] = fmt.Errorf("done %s: %w", claims[i].Item.ID, storage.ErrLeaseLost)
		}
	}
	return results, nil
}

// Release implements storage.DueStore.
func (d *dueSet) Release(ctx context.Context, c storage.Claim, at time.Time) error {
	if err := checkClaim(c); err != nil {
		return err
	}
	if at.IsZero() {
		return fmt.Errorf("redis: release %s: no due time", c.Item.ID)
	}
	ok, err := releaseScript.Run(ctx, d.client, d.scriptKeys(), c.Item.ID, c.Token, at.UnixMilli()).Int()
	if err != nil {
		return fmt.Errorf("redis: release %s: %w", c.Item.ID, err)
	}
	if ok == 0 {
		return fmt.Errorf("release %s: %w", c.Item.ID, storage.ErrLeaseLost)
	}
	return nil
}

// Lock implements storage.DueStore. The key also expires in Redis after
// ttl, so locks leave nothing behind.
func (d *dueSet) Lock(ctx context.Context, name string, ttl time.Duration, now time.Time) (bool, error) {
	if err := storage.CheckLock(name, ttl, now); err != nil {
		return false, fmt.Errorf("redis: %w", err)
	}
	nowMs, ends, ms := lockTimes(ttl, now)
	ok, err := lockScript.Run(ctx, d.client, []string{d.lockPrefix + name}, nowMs, ends, ms).Int()
	if err != nil {
		return false, fmt.Errorf("redis: lock %s: %w", name, err)
	}
	return ok == 1, nil
}

// lockTimes returns lockScript's arguments for a lock taken at now for
// ttl: now and the lock's end in unix ms, and the ttl in whole ms.
func lockTimes(ttl time.Duration, now time.Time) (nowMs, ends, ms int64) {
	ms = ceilMillis(ttl)
	nowMs = now.UnixMilli()
	return nowMs, nowMs + ms, ms
}

func checkClaim(c storage.Claim) error {
	if err := storage.CheckClaim(c); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// ceilMillis rounds a positive duration up to whole milliseconds.
func ceilMillis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
