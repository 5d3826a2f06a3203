package slack

import (
	"context"
	"errors"
	"time"

	slackapi "github.com/slack-go/slack"
)

// identity is who the bot is, from auth.test.
type identity struct {
	user string
	team string
}

const (
	// authTimeout bounds one auth.test call, rate-limit waits included.
	authTimeout = 10 * time.Second
	// identityBackoff is the first pause after a failed auth.test; it
	// doubles up to maxIdentityBackoff.
	identityBackoff    = time.Second
	maxIdentityBackoff = time.Minute
	// identityWait is how long a turn that cannot do without the bot's id
	// (a join, a channel's roster) waits for it while it is unknown.
	identityWait = 2 * time.Second
)

// learnIdentity calls auth.test until it answers, each call bounded by
// authTimeout, pausing longer after each failure; New starts it and
// Shutdown ends it. Turns never wait on it: they read what is known.
func (a *Adapter) learnIdentity(ctx context.Context) {
	pause := a.idBackoff
	for {
		id, err := a.authTest(ctx)
		if refusedToken(err) {
			a.refused.Store(&err)
		}
		if err == nil {
			a.refused.Store(nil)
			a.id.Store(&id)
			close(a.idKnown)
			a.log.Debug("bot identity learnt", "user", id.user, "team", id.team)
			return
		}
		if ctx.Err() != nil {
			return
		}
		a.log.Error("cannot learn the bot's identity yet; turns go on without it", "err", err, "retry_in", pause)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		pause = min(2*pause, maxIdentityBackoff)
	}
}

func (a *Adapter) authTest(ctx context.Context) (identity, error) {
	ctx, cancel := context.WithTimeout(ctx, authTimeout)
	defer cancel()
	var res *slackapi.AuthTestResponse
	err := a.retry(ctx, "auth.test", func() (err error) {
		res, err = a.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		return identity{}, err
	}
	if res == nil || res.UserID == "" {
		return identity{}, errors.New("slack auth.test: no user id in the answer")
	}
	return identity{user: res.UserID, team: res.TeamID}, nil
}

// identity returns the bot's user and team as far as they are known,
// without waiting: zero until auth.test has answered.
func (a *Adapter) identity() identity {
	if id := a.id.Load(); id != nil {
		return *id
	}
	return identity{}
}

// awaitIdentity is identity, waiting up to d (or until ctx ends) while it
// is unknown. It holds no lock: turns that wait do not queue behind each
// other.
func (a *Adapter) awaitIdentity(ctx context.Context, d time.Duration) identity {
	if id := a.id.Load(); id != nil {
		return *id
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-a.idKnown:
	case <-t.C:
	case <-ctx.Done():
	}
	return a.identity()
}

// refusedToken reports an auth.test answer that refuses the token itself,
// as opposed to Slack being unreachable or slow.
func refusedToken(err error) bool {
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission":
		return true
	}
	return false
}

// CredentialsRefused returns Slack's refusal of the bot token, nil unless
// auth.test refused it (and has not accepted it since). Readiness checks
// call it.
func (a *Adapter) CredentialsRefused() error {
	if err := a.refused.Load(); err != nil {
		return *err
	}
	return nil
}
