package storage

// HeldGroup is what a store keeps of a group (DueItem.Group) whose items
// a holder claimed, for stores that implement groups in Go: the N claims
// Holder has not settled, Until (unix ms) when the hold ends unless Holder
// claims again (GroupHold after its last Claim), and NotBefore (0 for
// none), the latest time an item of the group was given back to. With no
// Holder the group waits for Until (its NotBefore).
type HeldGroup struct {
	Holder           string
	Until, NotBefore int64
	N                int
}

// TakeGroup reports whether holder may claim at now an item of a group
// held as h (nil for a group nobody holds) and, if so, returns the group's
// new state with the claim, held until until (now plus GroupHold). again
// says that the item was claimed by holder already and not settled: its
// claim is counted.
func TakeGroup(h *HeldGroup, holder string, again bool, now, until int64) (HeldGroup, bool) {
	switch {
	case h != nil && h.Until > now && h.Holder != holder:
		return HeldGroup{}, false
	case h != nil && h.Until > now:
		g := *h
		if !again {
			g.N++
		}
		g.Until = max(g.Until, until)
		return g, true
	}
	return HeldGroup{Holder: holder, Until: until, N: 1}, true
}

// SettleGroup returns the state of a group held as h once holder settled
// one of its claims: done (at 0) or given back to at. keep is false when
// the group is free.
func SettleGroup(h HeldGroup, holder string, at int64) (g HeldGroup, keep bool) {
	if h.Holder != holder || h.N == 0 {
		return h, true
	}
	h.N--
	h.NotBefore = max(h.NotBefore, at)
	switch {
	case h.N > 0:
		return h, true
	case h.NotBefore > 0:
		return HeldGroup{Until: h.NotBefore}, true
	}
	return HeldGroup{}, false
}

// KeepGroup returns the state of a group held as h when holder claims at
// now, held until until (now plus GroupHold), and whether holder holds it.
func KeepGroup(h HeldGroup, holder string, now, until int64) (HeldGroup, bool) {
	if h.Holder != holder || h.N == 0 || h.Until <= now {
		return h, false
	}
	h.Until = max(h.Until, until)
	return h, true
}
