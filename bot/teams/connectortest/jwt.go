package connectortest

import (
	"encoding/base64"
	"math/big"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// Issuer is the issuer of the channel's tokens, as Bot Framework sets it.
const Issuer = "https://api.botframework.com"

func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                Issuer,
		"authorization_endpoint":                "https://invalid.botframework.com",
		"jwks_uri":                              s.URL + "/v1/.well-known/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
	})
}

func (s *Server) serveKeys(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.keyRequests++
	s.mu.Unlock()
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "use": "sig", "kid": s.keyID,
		"n":            base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"endorsements": []string{"msteams"},
	}}})
}

// Claims are the claims of a channel token; Token fills in sensible ones.
type Claims = jwt.MapClaims

// Token signs a token as the channel does for an activity it delivers to
// the bot at serviceURL: issuer Bot Framework, audience the app id, valid
// for an hour. edit, when not nil, may change the claims first.
func (s *Server) Token(serviceURL string, edit func(Claims)) string {
	now := time.Now()
	c := Claims{
		"iss": Issuer, "aud": s.appID, "serviceurl": serviceURL,
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
	}
	if edit != nil {
		edit(c)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = s.keyID
	if kid, ok := c["kid"].(string); ok { // a test's way to name another key
		t.Header["kid"] = kid
		delete(c, "kid")
	}
	signed, err := t.SignedString(s.key)
	if err != nil {
		panic(err) // an RSA key made by New always signs
	}
	return signed
}
