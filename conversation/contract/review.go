package contract

import (
	"errors"
	"slices"
	"time"
)

// ReviewStatus is where a reviewer's part in a peer review is.
type ReviewStatus string

const (
	ReviewAsked    ReviewStatus = "asked"
	ReviewAnswered ReviewStatus = "answered"
	ReviewDeclined ReviewStatus = "declined"
)

// Share is one round of peer review: the draft posted to a learning set.
type Share struct {
	Round   int       `json:"round"`
	Channel string    `json:"channel"`
	TS      string    `json:"ts,omitempty"` // the thread root, once posted
	At      time.Time `json:"at"`
	// Private says the support needed and ethical notes were shared too.
	Private bool   `json:"private,omitempty"`
	Note    string `json:"note,omitempty"` // what the learner asked reviewers to look at
	// Told is when the learner was told reviewers were slow to answer.
	Told time.Time `json:"told,omitzero"`
	// Gathered is when the learner got the round's feedback.
	Gathered time.Time `json:"gathered,omitzero"`
}

// Review is one reviewer asked in one round.
type Review struct {
	Round    int          `json:"round"`
	Reviewer string       `json:"reviewer"`
	Status   ReviewStatus `json:"status"`
	AskedAt  time.Time    `json:"asked_at"`
	At       time.Time    `json:"at,omitzero"` // answered or declined
	Reminded time.Time    `json:"reminded,omitzero"`
}

// Feedback is one peer's feedback on a shared draft.
type Feedback struct {
	By    string `json:"by"`
	Round int    `json:"round"`
	// Version is the latest proposed version when it was given (0 before
	// the first proposal).
	Version    int       `json:"version"`
	At         time.Time `json:"at"`
	Source     string    `json:"source"` // "form" or "thread"
	Specific   string    `json:"specific,omitempty"`
	Evidence   string    `json:"evidence,omitempty"`
	Timeline   string    `json:"timeline,omitempty"`
	Suggestion string    `json:"suggestion,omitempty"`
	Text       string    `json:"text,omitempty"` // a reply in the thread
}

// Feedback sources.
const (
	FromForm   = "form"
	FromThread = "thread"
)

// MaxFeedback bounds each part of a feedback, in characters.
const MaxFeedback = 3000

// Errors of peer review.
var (
	ErrNotShared    = errors.New("contract: not shared with a learning set")
	ErrOwnDraft     = errors.New("contract: reviewing one's own draft")
	ErrNotAsked     = errors.New("contract: not asked to review this round")
	ErrReviewClosed = errors.New("contract: peer review is over")
)

// ShareDraft posts the working terms for peer review to a learning set, as
// a new round, asking reviewers. It needs the learner and a draft still in
// the learner's hands.
func (c *Contract) ShareDraft(actor, channel string, private bool, note string, reviewers []string, now time.Time) error {
	if err := c.Check(Edit, actor, 0); err != nil {
		return err
	}
	round := c.Round() + 1
	c.Shares = append(c.Shares, Share{Round: round, Channel: channel, At: now, Private: private, Note: note})
	for _, r := range reviewers {
		c.Reviews = append(c.Reviews, Review{Round: round, Reviewer: r, Status: ReviewAsked, AskedAt: now})
	}
	if c.LearningSet != channel {
		c.record(now, actor, "learning_set", "learning_set", c.LearningSet, channel)
		c.LearningSet = channel
	}
	from := c.Status
	c.Status = InPeerReview
	c.record(now, actor, "shared", "status", string(from), string(InPeerReview))
	c.UpdatedAt = now
	return nil
}

// Round is the latest peer-review round (0: never shared).
func (c *Contract) Round() int { return len(c.Shares) }

// CurrentShare is the latest round's share.
func (c *Contract) CurrentShare() (Share, bool) {
	if len(c.Shares) == 0 {
		return Share{}, false
	}
	return c.Shares[len(c.Shares)-1], true
}

// Posted records where the latest round's draft was posted.
func (c *Contract) Posted(round int, ts string) {
	for i := range c.Shares {
		if c.Shares[i].Round == round && c.Shares[i].TS == "" {
			c.Shares[i].TS = ts
		}
	}
}

// Reviewing reports whether the contract is in peer review.
func (c *Contract) Reviewing() bool { return c.Status == InPeerReview && c.Round() > 0 }

// RoundReviews are the latest round's reviews.
func (c *Contract) RoundReviews() []Review {
	var out []Review
	for _, r := range c.Reviews {
		if r.Round == c.Round() {
			out = append(out, r)
		}
	}
	return out
}

// Asked lists everyone asked in the latest round, declined included.
func (c *Contract) Asked() []string {
	var out []string
	for _, r := range c.RoundReviews() {
		out = append(out, r.Reviewer)
	}
	return out
}

// Waiting lists the reviewers of the latest round who have yet to answer.
func (c *Contract) Waiting() []string {
	var out []string
	for _, r := range c.RoundReviews() {
		if r.Status == ReviewAsked {
			out = append(out, r.Reviewer)
		}
	}
	return out
}

func (c *Contract) review(user string) (*Review, bool) {
	for i := len(c.Reviews) - 1; i >= 0; i-- {
		if r := &c.Reviews[i]; r.Round == c.Round() && r.Reviewer == user {
			return r, true
		}
	}
	return nil, false
}

// CanReview reports why user may not give feedback now: the draft is not
// in peer review, or it is their own.
func (c *Contract) CanReview(user string) error {
	switch {
	case c.Round() == 0:
		return ErrNotShared
	case user == c.Learner:
		return ErrOwnDraft
	case c.Status != InPeerReview:
		return ErrReviewClosed
	}
	return nil
}

// GiveFeedback records a peer's feedback on the latest round; a reviewer
// asked in it has then answered. Long parts are cut to MaxFeedback.
func (c *Contract) GiveFeedback(f Feedback, now time.Time) error {
	if err := c.CanReview(f.By); err != nil {
		return err
	}
	f.Round, f.Version, f.At = c.Round(), c.Version, now
	for _, p := range []*string{&f.Specific, &f.Evidence, &f.Timeline, &f.Suggestion, &f.Text} {
		*p = clip(*p, MaxFeedback)
	}
	c.Feedback = append(c.Feedback, f)
	if r, ok := c.review(f.By); ok && r.Status != ReviewAnswered {
		r.Status, r.At = ReviewAnswered, now
	}
	c.record(now, f.By, "feedback", "", "", "")
	c.UpdatedAt = now
	return nil
}

// DeclineReview records that a reviewer asked in the latest round cannot
// review it, and asks the replacements instead.
func (c *Contract) DeclineReview(user string, replacements []string, now time.Time) error {
	if err := c.CanReview(user); err != nil {
		return err
	}
	r, ok := c.review(user)
	if !ok || r.Status != ReviewAsked {
		return ErrNotAsked
	}
	r.Status, r.At = ReviewDeclined, now
	for _, u := range replacements {
		c.Reviews = append(c.Reviews, Review{Round: c.Round(), Reviewer: u, Status: ReviewAsked, AskedAt: now})
	}
	c.record(now, user, "review_declined", "", "", "")
	c.UpdatedAt = now
	return nil
}

// RoundFeedback is the feedback given on the latest round.
func (c *Contract) RoundFeedback() []Feedback {
	var out []Feedback
	for _, f := range c.Feedback {
		if f.Round == c.Round() {
			out = append(out, f)
		}
	}
	return out
}

// Authors lists who gave the feedback, each once, in order.
func Authors(fs []Feedback) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.By) {
			out = append(out, f.By)
		}
	}
	return out
}

// FeedbackSince is the feedback given on version v or later.
func (c *Contract) FeedbackSince(v int) []Feedback {
	var out []Feedback
	for _, f := range c.Feedback {
		if f.Version >= v {
			out = append(out, f)
		}
	}
	return out
}

// Gather marks the latest round's feedback as passed to the learner.
func (c *Contract) Gather(now time.Time) {
	if n := len(c.Shares); n > 0 {
		c.Shares[n-1].Gathered = now
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
