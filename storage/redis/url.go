package redis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// pingTimeout bounds the connection check in Open.
const pingTimeout = 5 * time.Second

// Open connects to the Redis named by a REDIS_URL and checks that it
// answers. Accepted forms:
//
//	redis://[user:password@]host:port[/db][?options]      one node
//	rediss://…                                           the same over TLS
//	redis://host1:port,host2:port[?options]               Cluster (seed nodes)
//	redis+cluster://host:port[?options]                   Cluster through one seed
//	redis://sentinel:26379?master_name=NAME               Sentinel
//	redis+sentinel://host1:26379,host2:26379/NAME[/db]    Sentinel
//
// The options are go-redis's URL options (dial_timeout, pool_size, …);
// more addresses can also be given as addr=host:port options.
func Open(rawURL string) (*Store, error) {
	t, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	c := t.client()
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis: no answer from %s: %w", redact(rawURL), err)
	}
	return New(c), nil
}

// target is a parsed REDIS_URL: exactly one of the option sets is set.
type target struct {
	single   *redis.Options
	failover *redis.FailoverOptions
	cluster  *redis.ClusterOptions
}

func (t target) client() redis.UniversalClient {
	switch {
	case t.failover != nil:
		return redis.NewFailoverClient(t.failover)
	case t.cluster != nil:
		return redis.NewClusterClient(t.cluster)
	default:
		return redis.NewClient(t.single)
	}
}

// parseURL picks the deployment from the URL and hands it to go-redis's own
// parser for that deployment, so every go-redis URL option works.
func parseURL(rawURL string) (target, error) {
	bad := func(format string, args ...any) (target, error) {
		return target{}, fmt.Errorf("redis: REDIS_URL %s: %s", redact(rawURL), fmt.Sprintf(format, args...))
	}
	if rawURL == "" {
		return bad("empty; set it to redis://host:6379/0")
	}
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return bad("not a URL; use redis://host:6379/0")
	}
	base, mode, _ := strings.Cut(strings.ToLower(scheme), "+")
	if base != "redis" && base != "rediss" {
		return bad("scheme %q not supported; use redis:// or rediss://", scheme)
	}
	if mode != "" && mode != "cluster" && mode != "sentinel" {
		return bad("scheme %q not supported; use redis+cluster:// or redis+sentinel://", scheme)
	}

	// Split a comma-separated host list off, so url.Parse sees one host;
	// the others become addr= options, which go-redis understands.
	authority, pathQuery, _ := cutAny(rest, "/?#")
	userinfo, hosts := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hosts = authority[:i+1], authority[i+1:]
	}
	hostList := strings.Split(hosts, ",")
	for _, h := range hostList {
		if h == "" {
			return bad("empty host in %q", hosts)
		}
	}
	u, err := url.Parse(base + "://" + userinfo + hostList[0] + pathQuery)
	if err != nil {
		// A *url.Error repeats the URL, password included: keep its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return bad("%v", err)
	}
	q := u.Query()
	for _, h := range hostList[1:] {
		q.Add("addr", h)
	}

	if mode == "sentinel" {
		// The first path segment names the master: /NAME[/db].
		name, db, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		if name == "" && !q.Has("master_name") {
			return bad("no master name; use redis+sentinel://host:26379/MASTER")
		}
		if name != "" {
			q.Set("master_name", name)
		}
		u.Path = "/" + db
		mode = ""
	}
	u.RawQuery = q.Encode()
	norm := u.String()

	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(norm)
		if err != nil {
			return bad("%v", err)
		}
		return target{failover: o}, nil
	case mode == "cluster" || q.Has("addr"):
		if strings.Trim(u.Path, "/") != "" && strings.Trim(u.Path, "/") != "0" {
			return bad("Redis Cluster has only database 0")
		}
		u.Path = ""
		o, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return bad("%v", err)
		}
		return target{cluster: o}, nil
	default:
		o, err := redis.ParseURL(norm)
		if err != nil {
			return bad("%v", err)
		}
		return target{single: o}, nil
	}
}

// cutAny cuts s before the first of the characters in chars.
func cutAny(s, chars string) (before, after string, found bool) {
	if i := strings.IndexAny(s, chars); i >= 0 {
		return s[:i], s[i:], true
	}
	return s, "", false
}

// redact hides the password in a URL for error messages.
func redact(rawURL string) string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return "(not a URL)"
	}
	authority, tail, _ := cutAny(rest, "/?#")
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		user, _, hasPassword := strings.Cut(authority[:i], ":")
		if hasPassword {
			authority = user + ":xxxxx" + authority[i:]
		}
	}
	q := ""
	if strings.Contains(tail, "password=") {
		tail, _, _ = strings.Cut(tail, "?")
		q = "?…"
	}
	return scheme + "://" + authority + tail + q
}
