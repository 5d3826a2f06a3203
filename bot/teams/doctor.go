package teams

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/auth"
)

// CheckCredentials asks the token endpoint for a token with the app id
// and password of cfg (its TokenURL and HTTPClient when set), as the bot
// does before it sends: nil when the credentials are accepted.
func CheckCredentials(ctx context.Context, cfg Config) error {
	if cfg.AppID == "" || cfg.AppPassword == "" {
		return errors.New("teams: no app id and password to check")
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = "https://login.microsoftonline.com/" + defaultString(cfg.TenantID, auth.DefaultChannelAuthTenant) + "/oauth2/v2.0/token"
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	c := &connector{http: client, tokenURL: cfg.TokenURL, now: time.Now, log: slog.New(slog.DiscardHandler),
		creds: auth.SimpleCredentialProvider{AppID: cfg.AppID, Password: cfg.AppPassword}}
	_, err := c.getToken(ctx)
	return err
}

// CredentialsRefused returns the token endpoint's refusal of the app's
// credentials, nil unless it refused them (and has not issued a token
// since). Readiness checks call it.
func (a *Adapter) CredentialsRefused() error {
	if err := a.conn.refused.Load(); err != nil {
		return *err
	}
	return nil
}
