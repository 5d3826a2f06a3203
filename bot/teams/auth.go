package teams

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// validator authenticates activities the channel delivers: a JWT signed
// with a key from the channel's OpenID metadata, issued by Bot Framework,
// for this app, unexpired, for the activity's service URL. It implements
// the library's auth.TokenValidator; the library's own validator cannot be
// pointed at other metadata, shares an unsynchronised key cache between
// requests and panics on a token whose claims are not strings.
type validator struct {
	metadataURL string
	http        *http.Client
	now         func() time.Time

	mu      sync.Mutex
	keys    map[string]signingKey
	fetched time.Time
}

// signingKey is one of the channel's keys and the channels it may sign
// for (its endorsements).
type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string
}

// token is a verified token: its claims and the endorsements of the key
// that signed it.
type token struct {
	claims       jwt.MapClaims
	endorsements []string
}

var _ auth.TokenValidator = (*validator)(nil)

const (
	// keysTTL is how long signing keys are kept; Bot Framework rotates
	// them over days.
	keysTTL = 24 * time.Hour
	// keysRefetch is the least time between fetches when a token names an
	// unknown key, so forged tokens cannot make the bot hammer the
	// metadata endpoint.
	keysRefetch = 5 * time.Minute
	// keysFetchTimeout bounds fetching the signing keys.
	keysFetchTimeout = 5 * time.Second
	// clockSkew is the leeway on a token's times.
	clockSkew = 5 * time.Minute
)

var errUnauthorized = errors.New("teams: request not authenticated")

// AuthenticateRequest implements auth.TokenValidator.
func (v *validator) AuthenticateRequest(ctx context.Context, act schema.Activity, header string, creds auth.CredentialProvider, _ string) (auth.ClaimsIdentity, error) {
	tok, err := v.verify(ctx, header, creds.GetAppID())
	if err != nil {
		return nil, err
	}
	if err := tok.check(act.ServiceURL, act.ChannelID); err != nil {
		return nil, err
	}
	return auth.NewClaimIdentity(map[string]any(tok.claims), true), nil
}

// verify checks the token in an Authorization header and returns its
// claims.
func (v *validator) verify(ctx context.Context, header, appID string) (token, error) {
	raw, ok := strings.CutPrefix(strings.TrimSpace(header), "Bearer ")
	if !ok || raw == "" {
		return token{}, fmt.Errorf("%w: no bearer token", errUnauthorized)
	}
	// Keys are fetched while the channel waits for the answer: bound it.
	ctx, cancel := context.WithTimeout(ctx, keysFetchTimeout)
	defer cancel()
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods(auth.AllowedSigningAlgorithms), jwt.WithoutClaimsValidation())
	var endorsements []string
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, err := v.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		endorsements = k.endorsements
		return k.pub, nil
	})
	if err != nil {
		return token{}, fmt.Errorf("%w: %v", errUnauthorized, err)
	}
	now := v.now()
	if iss, _ := claims["iss"].(string); iss != auth.ToBotFromChannelTokenIssuer {
		return token{}, fmt.Errorf("%w: issuer %q", errUnauthorized, iss)
	}
	if !claims.VerifyAudience(appID, true) {
		return token{}, fmt.Errorf("%w: not for this app", errUnauthorized)
	}
	if _, ok := claims["exp"]; !ok || !claims.VerifyExpiresAt(now.Add(-clockSkew).Unix(), true) {
		return token{}, fmt.Errorf("%w: token expired", errUnauthorized)
	}
	if !claims.VerifyNotBefore(now.Add(clockSkew).Unix(), false) {
		return token{}, fmt.Errorf("%w: token not valid yet", errUnauthorized)
	}
	return token{claims: claims, endorsements: endorsements}, nil
}

// check makes sure the token was issued for the activity: for the service
// URL it names (so a token cannot send the bot's replies elsewhere), by a
// key endorsed for its channel (when the key lists endorsements).
func (t token) check(serviceURL, channelID string) error {
	got, _ := t.claims[auth.ServiceURLClaim].(string)
	if got == "" || strings.TrimSuffix(got, "/") != strings.TrimSuffix(serviceURL, "/") {
		return fmt.Errorf("%w: service URL does not match the token", errUnauthorized)
	}
	if len(t.endorsements) > 0 && !slices.Contains(t.endorsements, channelID) {
		return fmt.Errorf("%w: signing key not endorsed for channel %q", errUnauthorized, channelID)
	}
	return nil
}

// key returns the signing key with the given id, fetching the key set when
// it is stale or (at most every few minutes) when the id is unknown.
func (v *validator) key(ctx context.Context, kid string) (signingKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	k, ok := v.keys[kid]
	stale := now.Sub(v.fetched) > keysTTL
	if ok && !stale {
		return k, nil
	}
	if !stale && !ok && now.Sub(v.fetched) < keysRefetch {
		return signingKey{}, fmt.Errorf("unknown signing key %q", kid)
	}
	keys, err := v.fetchKeys(ctx)
	if err != nil {
		if ok {
			return k, nil // keep using a known key while the endpoint is down
		}
		return signingKey{}, err
	}
	v.keys, v.fetched = keys, now
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return signingKey{}, fmt.Errorf("unknown signing key %q", kid)
}

func (v *validator) fetchKeys(ctx context.Context) (map[string]signingKey, error) {
	var meta struct {
		JwksURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(ctx, v.metadataURL, &meta); err != nil {
		return nil, fmt.Errorf("openid metadata: %w", err)
	}
	if meta.JwksURI == "" {
		return nil, errors.New("openid metadata: no jwks_uri")
	}
	var set struct {
		Keys []struct {
			Kty          string   `json:"kty"`
			Kid          string   `json:"kid"`
			N            string   `json:"n"`
			E            string   `json:"e"`
			Endorsements []string `json:"endorsements"`
		} `json:"keys"`
	}
	if err := v.getJSON(ctx, meta.JwksURI, &set); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	keys := map[string]signingKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		keys[k.Kid] = signingKey{pub: pub, endorsements: k.Endorsements}
	}
	if len(keys) == 0 {
		return nil, errors.New("signing keys: none usable")
	}
	return keys, nil
}

func (v *validator) getJSON(ctx context.Context, target string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := v.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", redact(target), resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out)
}
