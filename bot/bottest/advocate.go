package bottest

// SkipNotes has user skip the drafting steps after the approver: the
// workplace advocate, support needed and ethical considerations.
func (w *World) SkipNotes(user string) {
	w.t.Helper()
	for range 3 {
		w.Click(user, "Skip")
	}
}
