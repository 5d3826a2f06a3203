package redis

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

const (
	// scaleSweep is how many items one sweep handles and one claim
	// operation claims.
	scaleSweep = 10_000
	// scaleClaimBatch is the scheduler's default batch.
	scaleClaimBatch = 100
	// scaleChunk is how many contracts one loading pipeline writes.
	scaleChunk = 2_000
	scaleTeam  = "T0SCALE01"
	// scaleRev is the stored revision of an active contract: saved as a
	// draft, edited, given an approver, proposed, signed.
	scaleRev = 5

	// Placeholders in the template contracts, as long as the values that
	// replace them: a 16-hex-digit contract id (as the engine makes) and
	// 11-character Slack user ids.
	tmplID       = "QQQQQQQQQQQQQQQQ"
	tmplLearner  = "ULLLLLLLLLL"
	tmplApprover = "UAAAAAAAAAA"
)

// The first scaleSweep contracts were activated on scaleT0, a Monday;
// their first weekly check-in is planned for the Monday after, 09:00,
// when the sweep runs at scaleSweepAt. The others were activated on each
// of the six days after scaleT0, so none of their items is due at the
// sweep.
var (
	scaleT0      = time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	scaleSweepAt = time.Date(2027, 3, 8, 10, 0, 0, 0, time.UTC)
)

// benchContracts is how many contracts BenchmarkScale loads at full size:
// 100,000, or LEARNPACT_BENCH_CONTRACTS.
func benchContracts(b *testing.B) int {
	v := os.Getenv("LEARNPACT_BENCH_CONTRACTS")
	if v == "" {
		return 100_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 10*scaleSweep || n > 999_999_999 {
		b.Fatalf("LEARNPACT_BENCH_CONTRACTS=%q: want a number of contracts from %d to 999999999", v, 10*scaleSweep)
	}
	return n
}

// scaleResult is what BenchmarkScale measures at one size.
type scaleResult struct {
	contracts int
	// Redis used_memory per contract: all of it, the contract hash and
	// user lists, and the due items.
	perContract, contractPart, duePart float64
	itemsPerContract                   float64
	claim10k                           time.Duration
	sweep                              sweepResult
}

// BenchmarkScale loads N active contracts (LEARNPACT_BENCH_CONTRACTS,
// default 100,000) into Redis as the engine leaves them: contract hash,
// the learner's and approver's contract lists, and the due items of each
// contract's plan. At N/10 and at N it reports:
//
//   - Redis memory per contract (used_memory after loading minus before,
//     divided by the contracts), split into contract data and due items;
//   - the time to claim 10,000 due items, in the scheduler's batches of
//     100 (ns/op);
//   - the memory of the process while the real scheduler sweeps 10,000
//     due items with a handler that does nothing: heap in use after GC,
//     its peak during the sweep, and the peak resident set.
//
// Every contract has its own id, learner and approver, so each brings two
// user lists of its own: an upper bound, as approvers usually have
// several learners. Sessions are not counted: they belong to people, not
// contracts, and expire after storage.SessionTTL.
//
// It takes about fifteen seconds at the default size; a million
// contracts take a minute and a half to load and 6.5 GB in Redis. -short
// skips it.
func BenchmarkScale(b *testing.B) {
	if testing.Short() {
		b.Skip("loads hundreds of thousands of contracts; not with -short")
	}
	n := benchContracts(b)
	srv := redistest.Start(b)
	s, err := Open(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	f := newFleet(b)

	var results []scaleResult
	for _, size := range []int{n / 10, n} {
		b.Run(fmt.Sprintf("contracts=%d", size), func(b *testing.B) {
			results = append(results, runScale(b, s, srv, f, size))
			if len(results) == 2 {
				b.Log(scaleTable(f, results))
			}
		})
	}
}

// scaleTable shows the results at both sizes side by side.
func scaleTable(f *fleet, rs []scaleResult) string {
	var t strings.Builder
	fmt.Fprintf(&t, "contract JSON %d B, %d B gzipped\n", len(f.tmpl[0].data), f.gzipped)
	fmt.Fprintf(&t, "%10s %10s %9s %9s %6s %10s %8s %8s %8s %8s\n",
		"contracts", "B/contract", "contract", "due", "items", "claim 10k", "sweep", "heap MB", "peak MB", "RSS MB")
	for _, r := range rs {
		fmt.Fprintf(&t, "%10d %10.0f %9.0f %9.0f %6.1f %10s %8s %8.1f %8.1f %8.1f\n",
			r.contracts, r.perContract, r.contractPart, r.duePart, r.itemsPerContract,
			r.claim10k.Round(time.Millisecond), r.sweep.took.Round(time.Millisecond),
			mb(r.sweep.heap), mb(r.sweep.heapPeak), mb(r.sweep.rssPeak))
	}
	small, big := rs[0], rs[1]
	fmt.Fprintf(&t, "at %d contracts the heap after GC is %.2f×, its peak %.2f× and the peak RSS %.2f× those at %d",
		big.contracts, ratio(big.sweep.heap, small.sweep.heap), ratio(big.sweep.heapPeak, small.sweep.heapPeak),
		ratio(big.sweep.rssPeak, small.sweep.rssPeak), small.contracts)
	return t.String()
}

func ratio(a, b uint64) float64 { return float64(a) / float64(b) }

func runScale(b *testing.B, s *Store, srv *redistest.Server, f *fleet, n int) scaleResult {
	ctx := b.Context()
	if err := s.Client().FlushAll(ctx).Err(); err != nil {
		b.Fatal(err)
	}
	r := scaleResult{contracts: n}

	before := usedMemory(b, s)
	start := time.Now()
	loadContracts(b, srv, f, n)
	mid := usedMemory(b, s)
	items := scheduleDue(b, srv, f, n)
	after := usedMemory(b, s)
	b.Logf("loaded %d contracts and %d due items in %s", n, items, time.Since(start).Round(time.Millisecond))

	c := s.Client()
	if got := c.ZCard(ctx, dueKey).Val(); got != int64(items) {
		b.Fatalf("%d due items stored, want %d", got, items)
	}
	// A contract hash and two user lists per contract, and two due keys.
	if got, want := c.DBSize(ctx).Val(), int64(3*n+2); got != want {
		b.Fatalf("%d keys stored, want %d", got, want)
	}
	r.perContract = float64(after-before) / float64(n)
	r.contractPart = float64(mid-before) / float64(n)
	r.duePart = float64(after-mid) / float64(n)
	r.itemsPerContract = float64(items) / float64(n)
	id, learner, _ := scaleIDs(0)
	b.Logf("MEMORY USAGE: contract hash %d B, user list %d B; a due item takes %.0f B",
		c.MemoryUsage(ctx, contractKey(id)).Val(),
		c.MemoryUsage(ctx, contractsKey(storage.UserKey{Platform: "slack", Team: scaleTeam, User: learner})).Val(),
		r.duePart/r.itemsPerContract)

	r.sweep = sweepOnce(b, s)

	// Claim 10,000 items at a time long after every item came due. Each
	// iteration claims later than the one before, with a lease shorter
	// than the step, so the claimable set stays the same.
	now := scaleSweepAt.AddDate(0, 0, 60)
	for b.Loop() {
		now = now.Add(time.Hour)
		for claimed := 0; claimed < scaleSweep; claimed += scaleClaimBatch {
			cs, err := s.Claim(ctx, now, scaleClaimBatch, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if len(cs) != scaleClaimBatch {
				b.Fatalf("claimed %d items, want %d", len(cs), scaleClaimBatch)
			}
		}
	}
	r.claim10k = b.Elapsed() / time.Duration(b.N)

	b.ReportMetric(r.perContract, "B/contract")
	b.ReportMetric(r.contractPart, "contract-B/contract")
	b.ReportMetric(r.duePart, "due-B/contract")
	b.ReportMetric(r.itemsPerContract, "items/contract")
	b.ReportMetric(float64(r.sweep.took.Milliseconds()), "sweep-ms")
	b.ReportMetric(mb(r.sweep.heap), "heap-MB")
	b.ReportMetric(mb(r.sweep.heapPeak), "heap-peak-MB")
	if r.sweep.rssPeak > 0 {
		b.ReportMetric(mb(r.sweep.rssPeak), "rss-peak-MB")
	}
	return r
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// scaleTemplate is an active contract as JSON, with the offsets of the
// placeholders to replace, and its plan as of its activation.
type scaleTemplate struct {
	data                        []byte
	idAt, learnerAt, approverAt []int
	plan                        []contract.Due
}

// fleet stamps out distinct copies of a few template contracts.
type fleet struct {
	// tmpl[d] was activated d days after scaleT0.
	tmpl [7]scaleTemplate
	// gzipped is the size of a contract's JSON gzipped.
	gzipped int
}

func newFleet(b *testing.B) *fleet {
	f := new(fleet)
	for d := range f.tmpl {
		f.tmpl[d] = newTemplate(b, scaleT0.AddDate(0, 0, d))
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	if _, err := w.Write(f.tmpl[0].data); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	f.gzipped = z.Len()
	return f
}

// template returns the template of contract i.
func (f *fleet) template(i int) *scaleTemplate {
	if i < scaleSweep {
		return &f.tmpl[0]
	}
	return &f.tmpl[1+i%(len(f.tmpl)-1)]
}

// scaleIDs returns the id, learner and approver of contract i.
func scaleIDs(i int) (id, learner, approver string) {
	return fmt.Sprintf("%016x", i), fmt.Sprintf("U1%09d", i), fmt.Sprintf("U2%09d", i)
}

// newTemplate walks a contract through its lifecycle to active: drafted
// the day before activation, proposed by the learner, signed by the
// approver at activated.
func newTemplate(b *testing.B, activated time.Time) scaleTemplate {
	b.Helper()
	drafted := activated.Add(-26 * time.Hour)
	y, m, d := activated.Date()
	terms := contract.Terms{
		Title: "Running design reviews",
		Goals: []contract.Goal{
			{Text: "Run three design reviews for the payments team", Mastery: "Decisions and owners recorded in each design doc"},
			{Text: "Write a review checklist the team adopts", Mastery: "Linked from the RFC template"},
		},
		Activities: []string{
			"Shadow Ana in two architecture reviews",
			"Read chapters 6 to 8 of Design It!",
			"Run a practice review of the ledger RFC",
		},
		Evidence: []string{
			"Notes and outcomes of the three reviews",
			"The checklist with comments from two reviewers",
		},
		Criteria: []contract.Criterion{
			{Text: "Two teammates say the reviews helped them decide", ProposedBy: tmplLearner},
			{Text: "The checklist is used in a review I did not run", ProposedBy: tmplLearner},
		},
		Deadline: time.Date(y, m, d+42, 0, 0, 0, 0, time.UTC),
		Cadence:  contract.Weekly,
	}
	c := contract.New(tmplID, "slack", scaleTeam, tmplLearner, drafted)
	for _, err := range []error{
		c.SetTerms(tmplLearner, terms, drafted.Add(10*time.Minute)),
		c.SetApprover(tmplLearner, tmplApprover, drafted.Add(12*time.Minute)),
		c.DoPropose(tmplLearner, "Ready for your review", drafted.Add(15*time.Minute)),
		c.DoSign(tmplApprover, 1, activated),
	} {
		if err != nil {
			b.Fatal(err)
		}
	}
	if c.Status != contract.Active {
		b.Fatalf("template contract is %s, want active", c.Status)
	}
	c.Rev = scaleRev - 1 // the engine encodes the revision it loaded
	data, err := json.Marshal(c)
	if err != nil {
		b.Fatal(err)
	}
	t := scaleTemplate{data: data, plan: c.Plan(activated)}
	for _, p := range []struct {
		s  string
		at *[]int
	}{{tmplID, &t.idAt}, {tmplLearner, &t.learnerAt}, {tmplApprover, &t.approverAt}} {
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte(p.s))
			if j < 0 {
				break
			}
			*p.at = append(*p.at, i+j)
			i += j + len(p.s)
		}
		if len(*p.at) == 0 {
			b.Fatalf("%s not found in the template contract", p.s)
		}
	}
	if len(t.plan) == 0 {
		b.Fatal("the template contract plans nothing")
	}
	return t
}

// stamp appends contract i to dst.
func (t *scaleTemplate) stamp(dst []byte, id, learner, approver string) []byte {
	start := len(dst)
	dst = append(dst, t.data...)
	out := dst[start:]
	for _, r := range []struct {
		at []int
		v  string
	}{{t.idAt, id}, {t.learnerAt, learner}, {t.approverAt, approver}} {
		for _, o := range r.at {
			copy(out[o:], r.v)
		}
	}
	return dst
}

// dueItems appends the due items of contract i, as the planner schedules
// them after the turn that activated it.
func (t *scaleTemplate) dueItems(dst []storage.DueItem, i int) []storage.DueItem {
	id, learner, approver := scaleIDs(i)
	for _, d := range t.plan {
		user := learner
		if d.User == tmplApprover {
			user = approver
		}
		dst = append(dst, scheduler.PlannedItem("slack", scaleTeam, id, contract.Due{Kind: d.Kind, At: d.At, User: user}))
	}
	return dst
}

// loadContracts writes n contracts with the keys and values Save writes:
// the contract hash and the learner's and approver's contract lists.
func loadContracts(b *testing.B, srv *redistest.Server, f *fleet, n int) {
	b.Helper()
	ctx := b.Context()
	s := openLoader(b, srv)
	defer s.Close()
	err := inChunks(n, scaleChunk, func(lo, hi int) error {
		buf := make([]byte, 0, (hi-lo)*len(f.tmpl[0].data))
		_, err := s.Client().Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := lo; i < hi; i++ {
				id, learner, approver := scaleIDs(i)
				start := len(buf)
				buf = f.template(i).stamp(buf, id, learner, approver)
				p.HSet(ctx, contractKey(id), "rev", scaleRev, "data", pack(buf[start:]))
				for _, u := range []string{learner, approver} {
					p.ZAdd(ctx, contractsKey(storage.UserKey{Platform: "slack", Team: scaleTeam, User: u}), redis.Z{Member: id})
				}
			}
			return nil
		})
		return err
	})
	if err != nil {
		b.Fatalf("load contracts: %v", err)
	}
}

// scheduleDue schedules the due items of n contracts through Schedule and
// returns how many there are.
func scheduleDue(b *testing.B, srv *redistest.Server, f *fleet, n int) int {
	b.Helper()
	ctx := b.Context()
	s := openLoader(b, srv)
	defer s.Close()
	var total atomic.Int64
	err := inChunks(n, scaleChunk, func(lo, hi int) error {
		items := make([]storage.DueItem, 0, (hi-lo)*len(f.tmpl[0].plan))
		for i := lo; i < hi; i++ {
			items = f.template(i).dueItems(items, i)
		}
		total.Add(int64(len(items)))
		return s.Schedule(ctx, items...)
	})
	if err != nil {
		b.Fatalf("schedule due items: %v", err)
	}
	return int(total.Load())
}

// openLoader opens a client of its own for loading, closed after, so its
// connections' buffers are gone before the process's memory is measured.
func openLoader(b *testing.B, srv *redistest.Server) *Store {
	b.Helper()
	s, err := Open(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// inChunks calls fn on the chunks [lo, hi) of [0, n) from one goroutine
// per CPU, so that encoding overlaps with the server's work, and returns
// the first error.
func inChunks(n, size int, fn func(lo, hi int) error) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				lo := int(next.Add(int64(size))) - size
				if lo >= n {
					return
				}
				if err := fn(lo, min(lo+size, n)); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n)) // the others stop at their next chunk
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// sweepResult is the process's memory while the scheduler sweeps.
type sweepResult struct {
	took time.Duration
	// heap is the heap in use after the sweep and a GC; heapPeak the
	// most in use during the sweep, garbage included.
	heap, heapPeak uint64
	// rssPeak is the most resident memory seen during the sweep.
	rssPeak uint64
}

// sweepOnce runs the scheduler over the scaleSweep items due at
// scaleSweepAt with a handler and platform that do nothing.
func sweepOnce(b *testing.B, s *Store) sweepResult {
	b.Helper()
	sch, err := scheduler.New(scheduler.Config{
		Due:       s,
		Handler:   noopHandler{},
		Platforms: map[string]bot.Platform{"slack": noopPlatform{}},
		Now:       func() time.Time { return scaleSweepAt },
		Log:       slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	// Give back what loading left, so that the sweep's own memory shows.
	runtime.GC()
	debug.FreeOSMemory()

	stop := make(chan struct{})
	peak := samplePeak(b, stop)
	start := time.Now()
	st, err := sch.Sweep(b.Context())
	took := time.Since(start)
	close(stop)
	r := <-peak
	if err != nil {
		b.Fatal(err)
	}
	if st.Claimed != scaleSweep || st.Sent != scaleSweep {
		b.Fatalf("sweep %+v, want %d items claimed and sent", st, scaleSweep)
	}
	r.took = took
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.heap = ms.HeapInuse
	return r
}

// samplePeak samples the heap in use and the resident set every 5 ms
// until stop is closed, then sends the peaks. Without /proc (not Linux)
// the resident set stays 0.
func samplePeak(b *testing.B, stop <-chan struct{}) <-chan sweepResult {
	out := make(chan sweepResult, 1)
	if _, err := rss(); err != nil {
		b.Logf("resident memory not measured: %v", err)
	}
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var r sweepResult
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			r.heapPeak = max(r.heapPeak, ms.HeapInuse)
			if v, err := rss(); err == nil {
				r.rssPeak = max(r.rssPeak, v)
			}
			select {
			case <-stop:
				out <- r
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// rss returns the process's resident set (VmRSS in /proc/self/status).
func rss() (uint64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmRSS %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

type noopHandler struct{}

func (noopHandler) Handle(context.Context, bot.Turn) error { return nil }

// noopPlatform sends nothing and knows no time zones.
type noopPlatform struct{}

func (noopPlatform) Name() string { return "slack" }
func (noopPlatform) SendDM(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (noopPlatform) Post(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (noopPlatform) Update(context.Context, conversation.MessageRef, message.Message) error {
	return nil
}
func (noopPlatform) Ephemeral(context.Context, string, string, message.Message) error { return nil }
func (noopPlatform) OpenModal(context.Context, string, message.Modal) error           { return nil }
