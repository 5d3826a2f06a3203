package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/storage"
)

const exportUsage = `Usage: learnpact export CONTRACT_ID [-o FILE.pdf]

Writes the signed record of a contract as a PDF: the terms in force, who
signed which version and when, the negotiation, check-ins, evidence,
assessments, reflection and impact. For admins: it reads the store that
REDIS_URL (or LEARNPACT_DATA) names, and shows people by their platform
ids. The file is learning-contract-CONTRACT_ID.pdf unless -o says
otherwise; -o - writes to standard output.

`

// export runs "learnpact export" with the arguments after the subcommand
// and returns the exit code.
func export(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, exportUsage)
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "where to write the PDF (default learning-contract-ID.pdf; - for standard output)")
	// The id may come before or after -o.
	err := fs.Parse(args)
	var id string
	if err == nil && fs.NArg() > 0 {
		id = fs.Arg(0)
		err = fs.Parse(fs.Args()[1:])
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if id == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, "learnpact export: name one contract id\n\n")
		fs.Usage()
		return 2
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "learnpact export: configuration:\n%v\n", err)
		return 2
	}
	m := NewMain(cfg)
	if cfg.Mode() == ModeSandbox {
		m.Clock = sandbox.NewWallClock()
	}
	stores, err := m.openStore()
	if err != nil {
		fmt.Fprintf(stderr, "learnpact export: %v\n", err)
		return 1
	}
	defer stores.Turns.Close()
	pdf, r, err := bot.ExportRecord(ctx, stores.Turns, id, time.Now())
	switch {
	case errors.Is(err, storage.ErrNotFound):
		fmt.Fprintf(stderr, "learnpact export: there is no contract %q in %s\n", id, stores.Name)
		return 1
	case errors.Is(err, bot.ErrNotProposed):
		fmt.Fprintf(stderr, "learnpact export: contract %s: %v\n", id, err)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "learnpact export: %v\n", err)
		return 1
	}
	if *out == "-" {
		if _, err := stdout.Write(pdf); err != nil {
			fmt.Fprintf(stderr, "learnpact export: %v\n", err)
			return 1
		}
		return 0
	}
	if *out == "" {
		*out = r.FileName()
	}
	if err := os.WriteFile(*out, pdf, 0o644); err != nil {
		fmt.Fprintf(stderr, "learnpact export: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: the record of contract %s, “%s” (%s)\n", *out, id, r.Title, r.Status)
	return 0
}
