package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	teamsapp "github.com/learnpact/learnpact/bot/teams/teamsapp"
)

const teamsPackageUsage = `Usage: learnpact teams-package [-o FILE] [-version X.Y.Z] [-app-id GUID] [-domain HOST] [-name NAME]

Writes the Microsoft Teams app package (manifest.json, color.png and
outline.png in a zip) to upload in the Teams admin center (Manage apps →
Upload new app) or side-load in Teams (Apps → Manage your apps → Upload an
app). The app id is the bot's Microsoft App ID: -app-id, or MICROSOFT_APP_ID.

`

// teamsPackage runs "learnpact teams-package" with the arguments after the
// subcommand and returns the exit code.
func teamsPackage(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("teams-package", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, teamsPackageUsage)
		fs.PrintDefaults()
	}
	out := fs.String("o", "learnpact-teams.zip", "where to write the package")
	opts := teamsapp.Options{AppID: strings.TrimSpace(getenv("MICROSOFT_APP_ID"))}
	fs.StringVar(&opts.AppID, "app-id", opts.AppID, "the bot's Microsoft App ID (default $MICROSOFT_APP_ID)")
	fs.StringVar(&opts.Version, "version", teamsapp.DefaultVersion, "package version; raise it for every upload")
	fs.StringVar(&opts.Name, "name", teamsapp.DefaultName, "the app's name in Teams, at most 30 characters")
	fs.StringVar(&opts.Domain, "domain", "", "the bot's public host, like bot.example.com (a URL is reduced to its host)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "learnpact teams-package: unexpected arguments %q\n\n", fs.Args())
		fs.Usage()
		return 2
	}
	if strings.Contains(opts.Domain, "://") {
		if u, err := url.Parse(strings.TrimSpace(opts.Domain)); err == nil && u.Hostname() != "" {
			opts.Domain = u.Hostname()
		}
	}
	var zip bytes.Buffer
	if err := teamsapp.Package(&zip, opts); err != nil {
		fmt.Fprintf(stderr, "learnpact teams-package:\n%v\n", err)
		return 2
	}
	if err := os.WriteFile(*out, zip.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "learnpact teams-package: %v\n", err)
		return 1
	}
	version := strings.TrimSpace(opts.Version)
	if version == "" {
		version = teamsapp.DefaultVersion
	}
	fmt.Fprintf(stdout, "wrote %s: Teams app package version %s; upload it in Teams to install the bot\n", *out, version)
	return 0
}
