package sandbox

import (
	"strings"
	"time"
	_ "time/tzdata" // the demo people's zones resolve on any machine
)

// Ids of the demo workspace. They follow Slack's formats (^[UW][A-Z0-9]+$
// for users, C… for channels, D… for direct messages).
const (
	Learner     = "U01ADA"
	Manager     = "U02MO"
	Advocate    = "U03WEN"
	PeerPat     = "U04PAT"
	PeerSam     = "U05SAM"
	PeerLee     = "U06LEE"
	PeerKim     = "U07KIM"
	BotUser     = "U00LP"
	LearningSet = "C01LSET"

	// LearningSetName is the demo channel's name, without the '#'.
	LearningSetName = "learning-set"

	teamID     = "T01SANDBOX"
	teamName   = "learnpact sandbox"
	teamDomain = "learnpact-sandbox"
	appID      = "A00LP"
	botID      = "B00LP"
)

// Person is a member of the workspace.
type Person struct {
	ID       string `json:"id"`
	Name     string `json:"name"`      // the handle, e.g. "ada"
	RealName string `json:"real_name"` // e.g. "Ada Learner"
	TZ       string `json:"tz"`        // IANA zone, e.g. "Europe/London"
	IsBot    bool   `json:"is_bot"`
	Role     string `json:"role"` // learner, approver, advocate, peer, bot (for the page)
}

// DemoPeople returns the people of the demo workspace: a learner, their
// manager, a workplace advocate, four peers and the bot.
func DemoPeople() []Person {
	return []Person{
		{ID: Learner, Name: "ada", RealName: "Ada Learner", TZ: "Europe/London", Role: "learner"},
		{ID: Manager, Name: "mo", RealName: "Mo Manager", TZ: "America/New_York", Role: "approver"},
		{ID: Advocate, Name: "wen", RealName: "Wen Advocate", TZ: "Asia/Singapore", Role: "advocate"},
		{ID: PeerPat, Name: "pat", RealName: "Pat Peer", TZ: "Europe/Berlin", Role: "peer"},
		{ID: PeerSam, Name: "sam", RealName: "Sam Peer", TZ: "America/Los_Angeles", Role: "peer"},
		{ID: PeerLee, Name: "lee", RealName: "Lee Peer", TZ: "Asia/Kolkata", Role: "peer"},
		{ID: PeerKim, Name: "kim", RealName: "Kim Peer", TZ: "Australia/Sydney", Role: "peer"},
		botPerson(),
	}
}

// inLearningSet reports whether a person starts in #learning-set: everyone
// but approvers and advocates, who take part in contracts from their DMs.
func inLearningSet(p Person) bool { return p.Role != "approver" && p.Role != "advocate" }

func botPerson() Person {
	return Person{ID: BotUser, Name: "learnpact", RealName: "learnpact", TZ: "UTC", IsBot: true, Role: "bot"}
}

// dmChannel is the stable id of a user's direct conversation with the bot.
func dmChannel(user string) string { return "D" + user[1:] }

// validUserID reports whether id looks like a Slack user id.
func validUserID(id string) bool {
	if len(id) < 2 || (id[0] != 'U' && id[0] != 'W') {
		return false
	}
	for _, r := range id[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// tzNames are the long zone names Slack shows as tz_label; zones not listed
// fall back to their abbreviation.
var tzNames = map[string][2]string{ // standard, daylight saving
	"Europe/London":       {"Greenwich Mean Time", "British Summer Time"},
	"America/New_York":    {"Eastern Standard Time", "Eastern Daylight Time"},
	"Asia/Singapore":      {"Singapore Standard Time", "Singapore Standard Time"},
	"Europe/Berlin":       {"Central European Time", "Central European Summer Time"},
	"America/Los_Angeles": {"Pacific Standard Time", "Pacific Daylight Time"},
	"Asia/Kolkata":        {"India Standard Time", "India Standard Time"},
	"Australia/Sydney":    {"Australian Eastern Standard Time", "Australian Eastern Daylight Time"},
	"UTC":                 {"Coordinated Universal Time", "Coordinated Universal Time"},
}

// zoneInfo returns Slack's tz_label and tz_offset (seconds east of UTC) for
// zone at t.
func zoneInfo(zone string, t time.Time) (label string, offset int) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return "Coordinated Universal Time", 0
	}
	lt := t.In(loc)
	abbr, offset := lt.Zone()
	names, ok := tzNames[zone]
	switch {
	case !ok:
		return abbr, offset
	case lt.IsDST():
		return names[1], offset
	default:
		return names[0], offset
	}
}

// firstLast splits a real name for the profile.
func firstLast(real string) (string, string) {
	first, last, _ := strings.Cut(real, " ")
	return first, last
}
