package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Library = (*Store)(nil)

// The library's index, per team, all of one team's keys in one Cluster
// slot (the hash tag {lib:TEAM}):
//
//	lp:{lib:TEAM}:n        hash: docs (examples indexed), len (their total length)
//	lp:{lib:TEAM}:t:TERM   hash: example id → "COUNT LEN" (the term's postings)
//	lp:{lib:TEAM}:e:ID     string: the example's terms, "TERM COUNT TERM COUNT …"
//	lp:libof:ID            string: the prefix of the team whose index holds example ID
//
// Every replica reads the same keys, so an example dropped by one is gone
// from all of them at once.
const libOfPrefix = "lp:libof:"

// teamEscaper keeps a team name from closing the hash tag.
var teamEscaper = strings.NewReplacer("%", "%25", "{", "%7B", "}", "%7D")

func libPrefix(team string) string { return "lp:{lib:" + teamEscaper.Replace(team) + "}:" }

// indexScript replaces the example ARGV[2] in the index of the team whose
// keys start with ARGV[1]: it drops what was indexed for it, then, unless
// ARGV[4] is empty, indexes its terms ARGV[4] ("TERM COUNT …", of total
// length ARGV[3]). Returns 1 when it dropped something. It runs in
// pipelines, with EVAL.
const indexScript = `
local p, id = ARGV[1], ARGV[2]
local ek = p .. 'e:' .. id
local old = redis.call('GET', ek)
if old then
  local n = 0
  for term, c in string.gmatch(old, '(%S+) (%d+)') do
    redis.call('HDEL', p .. 't:' .. term, id)
    n = n + tonumber(c)
  end
  redis.call('HINCRBY', p .. 'n', 'len', -n)
  if redis.call('HINCRBY', p .. 'n', 'docs', -1) <= 0 then redis.call('DEL', p .. 'n') end
  redis.call('DEL', ek)
end
if ARGV[4] ~= '' then
  local v = ' ' .. ARGV[3]
  for term, c in string.gmatch(ARGV[4], '(%S+) (%d+)') do
    redis.call('HSET', p .. 't:' .. term, id, c .. v)
  end
  redis.call('SET', ek, ARGV[4])
  redis.call('HINCRBY', p .. 'n', 'docs', 1)
  redis.call('HINCRBY', p .. 'n', 'len', tonumber(ARGV[3]))
end
if old then return 1 end
return 0
`

// IndexExample implements storage.Library: two round trips (where the
// example was, then the index and where it is now).
func (s *Store) IndexExample(ctx context.Context, team, id string, terms map[string]int) error {
	if err := storage.CheckExample(team, id, terms); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	p := libPrefix(team)
	if err := s.dropExample(ctx, id, p); err != nil {
		return err
	}
	var b strings.Builder
	for t, c := range terms {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(c))
	}
	_, err := s.c.Pipelined(ctx, func(pl redis.Pipeliner) error {
		pl.Eval(ctx, indexScript, []string{p + "n"}, p, id, storage.ExampleLen(terms), b.String())
		if b.Len() > 0 {
			pl.Set(ctx, libOfPrefix+id, p, 0)
		} else {
			pl.Del(ctx, libOfPrefix+id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: index example %s: %w", id, err)
	}
	return nil
}

// DropExample implements storage.Library.
func (s *Store) DropExample(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("redis: drop example: empty id")
	}
	return s.dropExample(ctx, id, "")
}

// dropExample drops the example id from the index of the team that holds
// it, unless that is the team with prefix keep (which IndexExample then
// replaces in one step).
func (s *Store) dropExample(ctx context.Context, id, keep string) error {
	p, err := s.c.Get(ctx, libOfPrefix+id).Result()
	switch {
	case errors.Is(err, redis.Nil), err == nil && p == keep:
		return nil
	case err != nil:
		return fmt.Errorf("redis: drop example %s: %w", id, err)
	}
	_, err = s.c.Pipelined(ctx, func(pl redis.Pipeliner) error {
		pl.Eval(ctx, indexScript, []string{p + "n"}, p, id, 0, "")
		pl.Del(ctx, libOfPrefix+id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: drop example %s: %w", id, err)
	}
	return nil
}

// LibraryTerms implements storage.Library in one round trip.
func (s *Store) LibraryTerms(ctx context.Context, team string, terms []string) (storage.LibraryIndex, error) {
	if err := storage.CheckSearch(team, terms); err != nil {
		return storage.LibraryIndex{}, fmt.Errorf("redis: %w", err)
	}
	p := libPrefix(team)
	var (
		stats *redis.SliceCmd
		posts = make([]*redis.MapStringStringCmd, len(terms))
	)
	_, err := s.c.Pipelined(ctx, func(pl redis.Pipeliner) error {
		stats = pl.HMGet(ctx, p+"n", "docs", "len")
		for i, t := range terms {
			posts[i] = pl.HGetAll(ctx, p+"t:"+t)
		}
		return nil
	})
	if err != nil {
		return storage.LibraryIndex{}, fmt.Errorf("redis: search the library: %w", err)
	}
	out := storage.LibraryIndex{Postings: map[string][]storage.Posting{}}
	if v := stats.Val(); len(v) == 2 {
		out.Docs, _ = strconv.Atoi(str(v[0]))
		out.TotalLen, _ = strconv.ParseInt(str(v[1]), 10, 64)
	}
	for i, t := range terms {
		m := posts[i].Val()
		if len(m) == 0 || out.Postings[t] != nil {
			continue
		}
		ps := make([]storage.Posting, 0, len(m))
		for id, v := range m {
			count, n, _ := strings.Cut(v, " ")
			c, err1 := strconv.Atoi(count)
			l, err2 := strconv.Atoi(n)
			if err1 != nil || err2 != nil {
				return storage.LibraryIndex{}, fmt.Errorf("redis: search the library: bad posting %q of %q", v, t)
			}
			ps = append(ps, storage.Posting{ID: id, Count: c, Len: l})
		}
		out.Postings[t] = ps
	}
	return out, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
