package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// stateVersion is the format of the state file.
const stateVersion = 1

// maxSavedMessages caps the messages kept per conversation: the oldest go.
const maxSavedMessages = 2000

// saveDelay gathers a burst of changes into one write.
const saveDelay = 200 * time.Millisecond

// savedState is the state file: what the workspace shows, without secrets,
// trigger ids, response URLs or open modals.
type savedState struct {
	Version int   `json:"version"`
	LastTS  int64 `json:"last_ts"` // microseconds of the newest timestamp handed out
	Seq     int64 `json:"seq"`     // the id counter
	// ClockOffset is how far a running clock was from the real time, in
	// nanoseconds; absent for a clock that stands still.
	ClockOffset *time.Duration `json:"clock_offset,omitempty"`
	// PageToken is the page's token, kept so that a tab left open across
	// a restart goes on working.
	PageToken     string      `json:"page_token,omitempty"`
	Conversations []savedConv `json:"conversations"`
	Homes         []View      `json:"homes,omitempty"`
}

type savedConv struct {
	ID     string `json:"id"`
	Opened bool   `json:"opened,omitempty"`
	// Name, Members, Creator and Created are kept for channels; a file
	// without Members keeps the workspace's starting members.
	Name     string    `json:"name,omitempty"`
	Members  []string  `json:"members,omitempty"`
	Creator  string    `json:"creator,omitempty"`
	Created  int64     `json:"created,omitempty"`
	Messages []Message `json:"messages"`
}

// persister keeps a workspace's state in a file.
type persister struct {
	path   string
	signal chan struct{} // buffered: a change since the last snapshot
	stop   chan struct{}
	done   chan struct{} // closed when the saver has stopped

	mu    sync.Mutex    // one write at a time, in snapshot order
	saved chan struct{} // closed and replaced after each write

	closeOnce sync.Once
	closeErr  error
}

// touch records a change to save; nil-safe, it never blocks.
func (p *persister) touch() {
	if p == nil {
		return
	}
	select {
	case p.signal <- struct{}{}:
	default:
	}
}

// startPersisting loads the state at path, if any, and starts saving
// changes to it. w.mu need not be held: nothing else uses w yet.
func (w *Workspace) startPersisting(path string) {
	p := &persister{
		path:   path,
		signal: make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		saved:  make(chan struct{}),
	}
	if err := w.load(path); err != nil {
		aside := path + ".corrupt"
		w.log.Warn("cannot restore the workspace; starting empty", "file", path, "moved_to", aside, "err", err)
		if err := os.Rename(path, aside); err != nil {
			w.log.Warn("cannot move the unreadable state file aside", "file", path, "err", err)
		}
	}
	w.persist = p
	p.touch()                        // the page token is on file before a tab can hold it
	go w.saveLoop(w.clock.Changed()) // taken now, so no jump after New is missed
}

// Close stops saving the workspace and saves it a last time. It returns
// the error of that save; without Config.StatePath it does nothing. The
// workspace still works after Close, but changes are no longer saved.
func (w *Workspace) Close() error {
	p := w.persist
	if p == nil {
		return nil
	}
	p.closeOnce.Do(func() {
		close(p.stop)
		<-p.done
		p.closeErr = w.save()
	})
	return p.closeErr
}

// saveLoop writes the state shortly after changes and clock jumps, until
// Close.
func (w *Workspace) saveLoop(clock <-chan struct{}) {
	p := w.persist
	defer close(p.done)
	for {
		select {
		case <-p.signal:
		case <-clock:
			clock = w.clock.Changed()
		case <-p.stop:
			return
		}
		t := time.NewTimer(saveDelay)
		select {
		case <-t.C:
		case <-p.stop:
			t.Stop()
			return // Close saves
		}
		if err := w.save(); err != nil {
			w.log.Warn("cannot save the workspace", "file", p.path, "err", err)
		}
	}
}

// save writes the current state to the file atomically.
func (w *Workspace) save() error {
	p := w.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	select { // this snapshot covers every change signalled so far
	case <-p.signal:
	default:
	}
	data, err := json.Marshal(w.snapshot())
	if err != nil {
		return fmt.Errorf("sandbox: encode state: %w", err)
	}
	if err := writeFileAtomic(p.path, data); err != nil {
		return err
	}
	close(p.saved)
	p.saved = make(chan struct{})
	return nil
}

// snapshot copies the state to save, the newest maxSavedMessages messages
// of each conversation.
func (w *Workspace) snapshot() savedState {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := savedState{Version: stateVersion, LastTS: w.lastTS, Seq: w.seq, PageToken: w.pageToken}
	if d, ok := w.clock.realOffset(); ok {
		st.ClockOffset = &d
	}
	for _, id := range w.convOrder {
		c := w.convs[id]
		msgs := c.msgs[max(0, len(c.msgs)-maxSavedMessages):]
		sc := savedConv{ID: c.id, Opened: c.opened, Messages: make([]Message, 0, len(msgs))}
		if !c.im {
			sc.Name, sc.Creator, sc.Created = c.name, c.creator, c.created
			sc.Members = append([]string{}, c.members...)
		}
		for _, m := range msgs {
			cp := *m
			cp.Blocks = slices.Clone(m.Blocks)
			sc.Messages = append(sc.Messages, cp)
		}
		st.Conversations = append(st.Conversations, sc)
	}
	for _, user := range w.order {
		if v := w.views[w.homes[user]]; v != nil {
			st.Homes = append(st.Homes, v.public())
		}
	}
	return st
}

// writeFileAtomic replaces path with data: a temporary file in the same
// directory, synced, then renamed over it.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// tsPattern is a message timestamp as the sandbox makes them.
var tsPattern = regexp.MustCompile(`^[0-9]{1,12}\.[0-9]{6}$`)

// viewIDPattern is a view id as nextIDLocked makes them.
var viewIDPattern = regexp.MustCompile(`^V([0-9]{10})$`)

// tsMicros returns a valid timestamp in microseconds.
func tsMicros(ts string) int64 {
	sec, frac, _ := strings.Cut(ts, ".")
	s, _ := strconv.ParseInt(sec, 10, 64)
	us, _ := strconv.ParseInt(frac, 10, 64)
	return s*1e6 + us
}

// load restores the state saved at path. A missing file is an empty
// workspace; an unreadable or malformed one is an error. Entries that no
// longer fit the workspace (unknown conversations or people, bad
// timestamps) are skipped.
func (w *Workspace) load(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("unknown state version %d", st.Version)
	}

	skipped := 0
	for _, sc := range st.Conversations {
		c := w.convs[sc.ID]
		if c == nil && w.restorableChannel(sc) {
			c = &conv{id: sc.ID, name: sc.Name, created: sc.Created}
			w.addConv(c)
		}
		if c == nil {
			skipped += len(sc.Messages)
			continue
		}
		if !c.im && sc.Members != nil {
			c.members = slices.DeleteFunc(slices.Compact(slices.Clone(sc.Members)), func(m string) bool { return w.people[m] == nil })
			if w.people[sc.Creator] != nil {
				c.creator = sc.Creator
			}
		}
		msgs := sc.Messages[max(0, len(sc.Messages)-maxSavedMessages):]
		seen := map[string]bool{}
		var restored []*Message
		for _, m := range msgs {
			if string(m.Blocks) == "null" {
				m.Blocks = nil
			}
			if !tsPattern.MatchString(m.TS) || seen[m.TS] || (m.ThreadTS != "" && !tsPattern.MatchString(m.ThreadTS)) ||
				(m.Blocks != nil && m.Blocks[0] != '[') {
				skipped++
				continue
			}
			seen[m.TS] = true
			m.Channel, m.ReplyCount = c.id, 0
			if !m.Ephemeral {
				m.EphemeralFor = ""
			}
			w.lastTS = max(w.lastTS, tsMicros(m.TS))
			restored = append(restored, &m)
		}
		c.msgs = restored
		c.opened = sc.Opened
	}
	w.lastTS = max(w.lastTS, st.LastTS)
	w.seq = max(w.seq, st.Seq)

	for _, v := range st.Homes {
		if len(v.Blocks) == 0 || string(v.Blocks) == "null" {
			v.Blocks = json.RawMessage("[]")
		}
		id := viewIDPattern.FindStringSubmatch(v.ID)
		if v.Type != "home" || w.people[v.User] == nil || v.User == w.bot || w.homes[v.User] != "" ||
			id == nil || w.views[v.ID] != nil || v.Blocks[0] != '[' {
			skipped++
			continue
		}
		n, _ := strconv.ParseInt(id[1], 10, 64)
		w.seq = max(w.seq, n)
		v.Errors = nil
		w.views[v.ID] = &view{View: v, rootID: v.ID}
		w.homes[v.User] = v.ID
	}

	if st.ClockOffset != nil {
		w.clock.restoreOffset(*st.ClockOffset)
	}
	if pageTokenPattern.MatchString(st.PageToken) {
		w.pageToken = st.PageToken
	}
	if skipped > 0 {
		w.log.Warn("skipped saved entries that do not fit the workspace", "file", path, "count", skipped)
	}
	return nil
}

// restorableChannel reports whether a saved conversation unknown to the
// workspace is a channel made by CreateChannel that can be made again.
func (w *Workspace) restorableChannel(sc savedConv) bool {
	if !channelIDPattern.MatchString(sc.ID) || !channelNameRE.MatchString(sc.Name) {
		return false
	}
	for _, c := range w.convs {
		if !c.im && c.name == sc.Name {
			return false
		}
	}
	return true
}

// pageTokenPattern is a page token as New makes them.
var pageTokenPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// channelIDPattern is a channel id as CreateChannel makes them.
var channelIDPattern = regexp.MustCompile(`^C[0-9]{10}$`)

// realOffset reports how far a running clock is from the real time; ok
// is false for a clock that stands still.
func (c *Clock) realOffset() (d time.Duration, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset, c.running
}

// restoreOffset puts a running clock d from the real time; a clock that
// stands still keeps its time.
func (c *Clock) restoreOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.offset = d
		c.notifyLocked()
	}
}
