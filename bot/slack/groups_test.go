package slack

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// TestGroupMembers reads a user group's members by its handle.
func TestGroupMembers(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	h.api.Handle("usergroups.list", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("include_users") != "true" {
			t.Errorf("usergroups.list without include_users: %v", r.Form)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"usergroups":[{"id":"S1","handle":"design","users":["UX"]},`+
			`{"id":"S2","handle":"Managers","users":["UMO","UANA"]},{"id":"S3","handle":"old","date_delete":1,"users":["UOLD"]}]}`)
	})
	got, err := h.a.GroupMembers(context.Background(), "T1", "managers")
	if err != nil || !slices.Equal(got, []string{"UMO", "UANA"}) {
		t.Errorf("GroupMembers(managers) = %v, %v", got, err)
	}
	for _, missing := range []string{"nobody", "old"} {
		if got, err := h.a.GroupMembers(context.Background(), "T1", missing); err == nil {
			t.Errorf("GroupMembers(%s) = %v, want an error", missing, got)
		}
	}
	h.finish(t)
}
