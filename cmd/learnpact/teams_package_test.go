package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testMicrosoftAppID = "0b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4"

// TestTeamsPackage runs the subcommand the way a shell would (through cli)
// and opens the package it wrote.
func TestTeamsPackage(t *testing.T) {
	cases := []struct {
		name       string
		args       []string
		env        map[string]string
		wantID     string
		wantVer    string
		wantDomain []string
	}{
		{"app id from the environment", []string{"-version", "1.4.0"},
			map[string]string{"MICROSOFT_APP_ID": testMicrosoftAppID}, testMicrosoftAppID, "1.4.0", []string{}},
		{"flags win over the environment", []string{"-app-id", strings.ToUpper(testMicrosoftAppID), "-domain", "https://bot.example.com:8443/api/messages"},
			map[string]string{"MICROSOFT_APP_ID": "not-this-one"}, testMicrosoftAppID, "1.0.0", []string{"bot.example.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "app.zip")
			var stdout, stderr bytes.Buffer
			args := append([]string{"teams-package", "-o", out}, tc.args...)
			if code := cli(context.Background(), args, envFrom(tc.env), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			if !strings.Contains(stdout.String(), out) {
				t.Errorf("stdout %q does not say where the package is", stdout.String())
			}
			files := readZip(t, out)
			var names []string
			for n := range files {
				names = append(names, n)
			}
			slices.Sort(names)
			if want := []string{"color.png", "manifest.json", "outline.png"}; !slices.Equal(names, want) {
				t.Fatalf("entries %q, want %q", names, want)
			}
			var m struct {
				ID           string `json:"id"`
				Version      string `json:"version"`
				Bots         []struct{ BotID string }
				ValidDomains []string `json:"validDomains"`
			}
			if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
				t.Fatal(err)
			}
			if m.ID != tc.wantID || len(m.Bots) != 1 || m.Bots[0].BotID != tc.wantID || m.Version != tc.wantVer || !slices.Equal(m.ValidDomains, tc.wantDomain) {
				t.Errorf("manifest id %q bots %+v version %q domains %q; want %s, %s, %q", m.ID, m.Bots, m.Version, m.ValidDomains, tc.wantID, tc.wantVer, tc.wantDomain)
			}
		})
	}
}

func TestTeamsPackageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no app id", nil, nil, "set MICROSOFT_APP_ID"},
		{"bad app id", nil, map[string]string{"MICROSOFT_APP_ID": "abc"}, "MICROSOFT_APP_ID must be a GUID"},
		{"bad version", []string{"-app-id", testMicrosoftAppID, "-version", "1"}, nil, "MAJOR.MINOR.PATCH"},
		{"stray argument", []string{"-app-id", testMicrosoftAppID, "extra"}, nil, "unexpected arguments"},
		{"unknown flag", []string{"-colour", "red"}, nil, "flag provided but not defined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "app.zip")
			var stdout, stderr bytes.Buffer
			args := append([]string{"teams-package", "-o", out}, tc.args...)
			if code := cli(context.Background(), args, envFrom(tc.env), &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, stderr.String())
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a package was written for a failed run (stat: %v)", err)
			}
		})
	}
}

func TestTeamsPackageUnwritable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "missing-dir", "app.zip")
	var stdout, stderr bytes.Buffer
	code := cli(context.Background(), []string{"teams-package", "-o", out, "-app-id", testMicrosoftAppID}, envFrom(nil), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "missing-dir") {
		t.Errorf("exit %d, stderr %q; want 1 naming the path", code, stderr.String())
	}
}

func readZip(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}
