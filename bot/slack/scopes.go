package slack

// Scopes are the bot token scopes the bot needs: those of manifest.yaml
// (its tests keep the two the same).
var Scopes = []string{
	"app_mentions:read", "channels:history", "channels:read", "chat:write", "commands", "files:read", "files:write",
	"groups:history", "groups:read", "im:history", "im:read", "im:write", "usergroups:read", "users:read",
}
