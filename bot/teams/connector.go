package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/connector/client"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// The connector client makes the calls msbotbuilder-go's ConnectorClient
// has no API for or answers without what the caller needs: posts whose
// activity id a caller records (a channel post that roots a thread),
// starting a conversation, listing members, and every call of an Insecure
// sandbox (which sends no token). Everything else goes through the
// library's client, wrapped by libSender (libsend.go). It implements the
// library's client.Client interface, so the library's activity helpers can
// run over it.

const (
	// maxAttempts bounds the calls made for one request.
	maxAttempts = 6
	// maxServerErrors bounds the calls made while the connector answers
	// 500: a fault on its side that is unlikely to clear at once.
	maxServerErrors = 3
	// maxRetryWait caps one wait between attempts, Retry-After included.
	maxRetryWait = 30 * time.Second
	// tokenSlack renews a token this long before it expires.
	tokenSlack = 5 * time.Minute
	// maxAnswer is the largest answer body read from the connector.
	maxAnswer = 4 << 20
	// callTimeout bounds one request of the library's client.Client.
	callTimeout = 30 * time.Second
)

// UserAgent is the User-Agent of the adapter's own connector calls (the
// library's client sends Go's default).
const UserAgent = "learnpact-teams"

// connector calls the Bot Framework REST API with the bot's token.
type connector struct {
	http     *http.Client
	tokenURL string
	creds    auth.CredentialProvider
	now      func() time.Time
	log      *slog.Logger
	// backoff is the first wait after a failure; it doubles per attempt,
	// with jitter.
	backoff time.Duration
	// wait waits d or until ctx ends; tests replace it to record waits.
	wait func(ctx context.Context, d time.Duration) error

	// refused is the token endpoint's refusal of the credentials; nil
	// while it has not refused them (see Adapter.CredentialsRefused).
	refused atomic.Pointer[error]

	fetch  sync.Mutex // one token request at a time
	mu     sync.Mutex // guards token and expiry
	token  string
	expiry time.Time
}

var _ client.Client = (*connector)(nil)

// apiError is an answer from the connector other than success.
type apiError struct {
	Method, URL string
	Status      int
	Code        string
	RetryAfter  time.Duration
}

func (e *apiError) Error() string {
	return fmt.Sprintf("teams connector %s %s: %d %s", e.Method, e.URL, e.Status, e.Code)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// call sends one request (body marshalled as JSON when not nil) and decodes
// the answer into out (when not nil), retrying transport errors, 429, 502,
// 503 and 504 with backoff and jitter (honouring Retry-After), 500 a few
// times, and a 401 once with a fresh token.
func (c *connector) call(ctx context.Context, method, target string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("teams connector %s: encode: %w", method, err)
		}
	}
	serverErrors, renewed := 0, false
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, method, target, payload, out)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		var wait time.Duration
		var ae *apiError
		switch {
		case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests && ctx.Value(noRateRetry{}) != nil:
			return err // the outbox waits out Retry-After without holding a call
		case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && !renewed:
			renewed = true
			c.forgetToken()
		case errors.As(err, &ae) && ae.Status == http.StatusInternalServerError:
			if serverErrors++; serverErrors >= maxServerErrors {
				return err
			}
			wait = c.backoffFor(attempt)
		case errors.As(err, &ae) && retryable(ae.Status):
			wait = max(ae.RetryAfter, c.backoffFor(attempt))
		case errors.As(err, &ae):
			return err
		case errors.Is(err, errToken):
			return err
		default: // transport error: nothing was answered
			wait = c.backoffFor(attempt)
		}
		if attempt >= maxAttempts {
			return err
		}
		c.log.Warn("connector call failed, retrying", "method", method, "attempt", attempt, "wait", wait, "err", err)
		if err := c.wait(ctx, min(wait, maxRetryWait)); err != nil {
			return fmt.Errorf("teams connector %s: waiting to retry: %w", method, err)
		}
	}
}

// noRateRetry marks a context whose calls return a 429 at once (see
// withoutRateRetry).
type noRateRetry struct{}

// withoutRateRetry makes call return a 429 at once instead of waiting for
// its Retry-After: for the outbox, which holds back the conversation and
// sends other conversations' messages meanwhile.
func withoutRateRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRateRetry{}, true)
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (c *connector) backoffFor(attempt int) time.Duration { return backoffFor(c.backoff, attempt) }

// backoffFor is the wait before attempt+1 when the first wait is base:
// exponential, with full jitter over its upper half.
func backoffFor(base time.Duration, attempt int) time.Duration {
	d := base << min(attempt-1, 6)
	return d/2 + rand.N(d/2+1)
}

func (c *connector) once(ctx context.Context, method, target string, payload []byte, out any) error {
	token, err := c.getToken(ctx)
	if err != nil {
		return err
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return fmt.Errorf("teams connector %s: %w", method, errors.Join(err, errToken))
	}
	req.Header.Set("User-Agent", UserAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("teams connector %s: %w", method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("teams connector %s: read answer: %w", method, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &apiError{Method: method, URL: redact(target), Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header, c.now())}
		var eb struct {
			Error struct{ Code string } `json:"error"`
		}
		if json.Unmarshal(data, &eb) == nil {
			ae.Code = eb.Error.Code
		}
		return ae
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("teams connector %s: decode answer: %w", method, err)
		}
	}
	return nil
}

// redact keeps a URL's path for logs, without its query.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(bad url)"
	}
	return u.Path
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// errToken marks failures to get a token that retrying at once would not
// fix (bad credentials, a malformed answer).
var errToken = errors.New("teams: cannot get a connector token")

// getToken returns a valid access token, requesting one when the cached one
// is missing or about to expire. Concurrent callers share one request.
func (c *connector) getToken(ctx context.Context) (string, error) {
	if c.creds.GetAppID() == "" {
		return "", nil // a sandbox without credentials, like the Bot Framework Emulator
	}
	if t, ok := c.cached(); ok {
		return t, nil
	}
	c.fetch.Lock()
	defer c.fetch.Unlock()
	if t, ok := c.cached(); ok {
		return t, nil
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.creds.GetAppID()},
		"client_secret": {c.creds.GetAppPassword()},
		"scope":         {auth.ToChannelFromBotOauthScope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("%w: %v", errToken, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", UserAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		// A transport error: call retries it like any other.
		return "", fmt.Errorf("teams token request: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("teams token request: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		ae := &apiError{Method: http.MethodPost, URL: redact(c.tokenURL), Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header, c.now())}
		if retryable(resp.StatusCode) || resp.StatusCode >= 500 {
			return "", ae
		}
		err := fmt.Errorf("%w: %v", errToken, ae)
		c.refused.Store(&err)
		return "", err
	}
	var ar schema.AuthResponse
	if err := json.Unmarshal(data, &ar); err != nil || ar.AccessToken == "" {
		return "", fmt.Errorf("%w: malformed token answer", errToken)
	}
	c.mu.Lock()
	c.token, c.expiry = ar.AccessToken, c.now().Add(time.Duration(ar.ExpireTime)*time.Second)
	c.mu.Unlock()
	c.refused.Store(nil)
	return ar.AccessToken, nil
}

func (c *connector) cached() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Add(tokenSlack).Before(c.expiry) {
		return c.token, true
	}
	return "", false
}

func (c *connector) forgetToken() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = ""
}

// Post implements the library's client.Client.
func (c *connector) Post(target url.URL, a schema.Activity) error {
	return c.libCall(http.MethodPost, target, a)
}

// Put implements the library's client.Client.
func (c *connector) Put(target url.URL, a schema.Activity) error {
	return c.libCall(http.MethodPut, target, a)
}

// Delete implements the library's client.Client.
func (c *connector) Delete(target url.URL, _ schema.Activity) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return c.call(ctx, http.MethodDelete, target.String(), nil, nil)
}

func (c *connector) libCall(method string, target url.URL, a schema.Activity) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return c.call(ctx, method, target.String(), a, nil)
}

// conversationURL is serviceURL/v3/conversations[/conv[/activities[/id]]].
func conversationURL(serviceURL string, parts ...string) string {
	u := strings.TrimSuffix(serviceURL, "/") + "/v3/conversations"
	for _, p := range parts {
		u += "/" + url.PathEscape(p)
	}
	return u
}
