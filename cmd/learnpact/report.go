package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/report"
)

// reportCmd runs `learnpact report`: the report of every stored contract
// (or an approver's learners' contracts) as CSV, read from the store the
// configuration names (REDIS_URL, or the embedded LEARNPACT_DATA file,
// which the bot must not hold open meanwhile).
func reportCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	since := fs.String("since", "", "only contracts created on or after this date (YYYY-MM-DD)")
	approver := fs.String("approver", "", "only the contracts of this approver's learners (a user id)")
	out := fs.String("o", "", "write the CSV to this file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "learnpact report: unexpected arguments %q\n", fs.Args())
		return 2
	}
	opts := report.Options{Now: time.Now().UTC(), Approver: *approver}
	if *since != "" {
		t, err := time.Parse("2006-01-02", *since)
		if err != nil {
			fmt.Fprintf(stderr, "learnpact report: -since %q: want a date like 2027-01-31\n", *since)
			return 2
		}
		opts.Since = t
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "learnpact report: configuration:\n%v\n", err)
		return 2
	}
	stores, err := NewMain(cfg).openStore()
	if err != nil {
		fmt.Fprintf(stderr, "learnpact report: %v\n", err)
		return 1
	}
	defer stores.Turns.Close()
	var cs []*contract.Contract
	err = stores.Erase.EachContract(ctx, func(id string, data []byte, _ int64) error {
		c := new(contract.Contract)
		if err := json.Unmarshal(data, c); err != nil {
			fmt.Fprintf(stderr, "learnpact report: skipping contract %s: %v\n", id, err)
			return nil
		}
		cs = append(cs, c)
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "learnpact report: read contracts: %v\n", err)
		return 1
	}
	r := report.Build(cs, opts)
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "learnpact report: %v\n", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	if err := report.WriteCSV(w, r); err != nil {
		fmt.Fprintf(stderr, "learnpact report: write: %v\n", err)
		return 1
	}
	fmt.Fprint(stderr, report.Summary(r))
	return 0
}
