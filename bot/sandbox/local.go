package sandbox

import (
	"mime"
	"net"
	"net/http"
)

// LocalOnly guards an endpoint that takes unauthenticated requests from
// programs on this machine (the Bot Framework Emulator posting to
// /api/messages): the peer must be a loopback address, the Host the
// sandbox's own (no DNS rebinding), the body JSON (which a cross-origin
// page cannot send without a preflight, which the sandbox never answers),
// and an Origin, when a browser sends one, the sandbox itself. Anything else
// is answered 403 without reading the body.
func (w *Workspace) LocalOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if reason := w.notLocal(r); reason != "" {
			w.log.Warn("request to a local-only endpoint refused", "path", r.URL.Path, "reason", reason)
			http.Error(rw, "refused: "+reason, http.StatusForbidden)
			return
		}
		next.ServeHTTP(rw, r)
	})
}

// notLocal tells why r may not use a local-only endpoint, or "".
func (w *Workspace) notLocal(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return "only programs on this machine may call this endpoint"
	}
	if !w.ownHost(r.Host) {
		return "this sandbox answers only on its own address"
	}
	if r.Header.Get("Origin") != "" && !sameOrigin(r) {
		return "cross-origin request"
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			return "the body must be application/json"
		}
	}
	return ""
}
