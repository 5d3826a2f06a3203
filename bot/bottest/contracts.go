package bottest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
)

// SaveContract stores c as new in s, on platform and team, in its parties' lists.
func SaveContract(t testing.TB, s storage.Store, platform, team string, c *contract.Contract) {
	t.Helper()
	c.Platform, c.Team = platform, team
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var users []storage.UserKey
	for _, u := range c.Parties() {
		users = append(users, storage.UserKey{Platform: platform, Team: team, User: u})
	}
	err = s.Save(context.Background(), storage.TurnWrite{User: users[0],
		Contract: &storage.ContractWrite{ID: c.ID, Data: data, Users: users}})
	if err != nil {
		t.Fatal(err)
	}
}
