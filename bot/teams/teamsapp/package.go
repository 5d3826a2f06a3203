// Package teamsapp builds the Microsoft Teams app package: the zip of
// manifest.json and the two icons that a Teams admin uploads (Teams admin
// center → Manage apps → Upload) or a user side-loads to install the bot.
package teamsapp

//go:generate go run icons_gen.go

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"
)

const (
	// DefaultVersion is the package version when Options.Version is empty.
	// Teams installs an upload only when its version is newer than the one
	// installed, so raise it for each new package.
	DefaultVersion = "1.0.0"
	// DefaultName is the app's short name when Options.Name is empty.
	DefaultName = "learnpact"
	// maxName is the schema's limit on name.short.
	maxName = 30
)

// ErrInvalid is wrapped by every error about Options.
var ErrInvalid = errors.New("invalid Teams app package options")

// Options are what the package needs from the deployment.
type Options struct {
	// AppID is the bot's Microsoft App ID (MICROSOFT_APP_ID), a GUID. It is
	// both the bot's id and the Teams app's id.
	AppID string
	// Version is the package version, MAJOR.MINOR.PATCH; DefaultVersion
	// when empty.
	Version string
	// Name is the app's short name in Teams, at most 30 characters;
	// DefaultName when empty.
	Name string
	// Domain is the bot's public host (like bot.example.com), listed in
	// validDomains; optional.
	Domain string
}

var (
	//go:embed manifest.json
	manifestTemplate string
	//go:embed color.png
	colorIcon []byte
	//go:embed outline.png
	outlineIcon []byte

	manifestTmpl = template.Must(template.New("manifest.json").
			Funcs(template.FuncMap{"json": toJSON}).
			Parse(manifestTemplate))

	guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$`)
	// semverRE is the schema's own pattern for versions.
	semverRE = regexp.MustCompile(`^([0-9]|[1-9]+[0-9]*)\.([0-9]|[1-9]+[0-9]*)\.([0-9]|[1-9]+[0-9]*)$`)
	// domainRE is a host name, optionally with a leading wildcard label.
	domainRE = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// manifestData is what the template fills in.
type manifestData struct {
	AppID, Version, Name, FullName string
	ValidDomains                   []string
}

// Manifest renders manifest.json for opts.
func Manifest(opts Options) ([]byte, error) {
	d, err := opts.data()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := manifestTmpl.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render manifest.json: %w", err)
	}
	return b.Bytes(), nil
}

// Package writes the app package, a zip with manifest.json, color.png and
// outline.png at its root, to w. The same options give the same bytes.
func Package(w io.Writer, opts Options) error {
	manifest, err := Manifest(opts)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"manifest.json", manifest},
		{"color.png", colorIcon},
		{"outline.png", outlineIcon},
	} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: packageTime})
		if err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write app package: %w", err)
	}
	return nil
}

// packageTime is the modification time of every entry, so that a package
// depends only on its options.
var packageTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// data checks opts and fills in the defaults. The error names every
// problem.
func (o Options) data() (manifestData, error) {
	d := manifestData{
		AppID:        strings.ToLower(strings.TrimSpace(o.AppID)),
		Version:      strings.TrimSpace(o.Version),
		Name:         strings.TrimSpace(o.Name),
		ValidDomains: []string{},
	}
	if d.Version == "" {
		d.Version = DefaultVersion
	}
	if d.Name == "" {
		d.Name = DefaultName
	}
	d.FullName = d.Name + ": learning contracts"

	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...))
	}
	switch {
	case d.AppID == "":
		bad("set MICROSOFT_APP_ID to the bot's Microsoft App ID (Azure Bot → Configuration), a GUID like 00000000-0000-0000-0000-000000000000")
	case !guidRE.MatchString(d.AppID):
		bad("MICROSOFT_APP_ID must be a GUID like 00000000-0000-0000-0000-000000000000 (got %q)", o.AppID)
	}
	if !semverRE.MatchString(d.Version) {
		bad("the package version must be MAJOR.MINOR.PATCH like %s, without a v or a suffix (got %q)", DefaultVersion, o.Version)
	}
	if n := utf8.RuneCountInString(d.Name); n > maxName || strings.ContainsFunc(d.Name, isControl) {
		bad("the app name must be at most %d characters on one line (got %q, %d characters)", maxName, o.Name, n)
	}
	if domain := strings.ToLower(strings.TrimSpace(o.Domain)); domain != "" {
		if !domainRE.MatchString(domain) || len(domain) > 253 {
			bad("the domain must be the bot's public host name, like bot.example.com, without scheme, port or path (got %q)", o.Domain)
		}
		d.ValidDomains = []string{domain}
	}
	return d, errors.Join(errs...)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// toJSON writes v as a JSON value inside the manifest template.
func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
