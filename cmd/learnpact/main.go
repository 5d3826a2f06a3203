// Command learnpact runs the learning-contract bot. Without Slack
// credentials it serves a local sandbox workspace to try it in a browser.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

const usage = `learnpact runs the learning-contract bot for Slack and Microsoft Teams.

Usage:
  learnpact                 serve (the default)
  learnpact teams-package   write the Teams app package (-o file.zip, -domain, -version, -app-id)
  learnpact export ID       write the signed record of contract ID as a PDF (-o file.pdf)
  learnpact templates check DIR
                            check the contract templates in DIR (file, line and field of each problem)
  learnpact report          the report of the stored contracts as CSV (-since 2027-01-01, -approver ID, -o file.csv)
  learnpact doctor          check the Slack token and its scopes, Socket Mode, the Teams credentials,
                            the store and its persistence and the clock, and say what to fix
  learnpact version         print the version
  learnpact help            print this help

Without SLACK_BOT_TOKEN and MICROSOFT_APP_ID it serves a local sandbox
workspace: open the address it prints. Configuration is read from
environment variables (ADDR, REDIS_URL, LEARNPACT_DATA, SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL, MICROSOFT_APP_ID,
MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID, WORK_HOURS, WORK_DAYS,
HOLIDAYS, DIGEST_SPEC, IMPACT_CHECKS, APPROVERS, LOG_LEVEL, LOG_FORMAT); see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// cli runs a subcommand and returns the exit code.
func cli(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch {
	case cmd == "teams-package":
		return teamsPackage(args[1:], getenv, stdout, stderr)
	case cmd == "export":
		return export(ctx, args[1:], getenv, stdout, stderr)
	case cmd == "templates":
		return templatesCmd(args[1:], stdout, stderr)
	case cmd == "report":
		return reportCmd(ctx, args[1:], getenv, stdout, stderr)
	case cmd == "doctor" && len(args) == 1:
		return doctorCmd(ctx, getenv, stdout, stderr)
	case len(args) > 1:
		fmt.Fprintf(stderr, "learnpact: unexpected arguments %q\n\n%s", args[1:], usage)
		return 2
	case cmd == "serve":
		return serve(ctx, getenv, stdout, stderr)
	case cmd == "version":
		fmt.Fprintf(stdout, "learnpact %s\n", versionString())
		return 0
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "learnpact: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

// serve runs until ctx is done (SIGINT or SIGTERM) or the server fails.
func serve(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "learnpact: configuration:\n%v\n", err)
		return 2
	}
	m := NewMain(cfg)
	m.Stdout, m.Log = stdout, newLogger(cfg, stderr)
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "learnpact: %v\n", err)
		return 1
	}
	code := 0
	select {
	case <-ctx.Done():
		m.Log.Info("shutting down")
	case err := <-m.Err():
		m.Log.Error("stopped", "err", err)
		code = 1
	}
	if err := m.Close(); err != nil {
		m.Log.Error("shutdown", "err", err)
		code = 1
	}
	return code
}

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v + " " + info.GoVersion
}
