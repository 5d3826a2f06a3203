package teamsapp

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestPackage(t *testing.T) {
	var b bytes.Buffer
	if err := Package(&b, testOptions); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, b.Bytes())
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"color.png", "manifest.json", "outline.png"}; !slices.Equal(names, want) {
		t.Fatalf("entries = %q, want %q", names, want)
	}
	var m struct {
		ID      string `json:"id"`
		Version string `json:"version"`
		Icons   struct{ Color, Outline string }
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.ID != testAppID || m.Version != "1.2.3" {
		t.Errorf("manifest id %q version %q, want %s 1.2.3", m.ID, m.Version, testAppID)
	}
	if files[m.Icons.Color] == nil || files[m.Icons.Outline] == nil {
		t.Errorf("icons %+v are not in the package", m.Icons)
	}
	if err := validate(t, files["manifest.json"]); err != nil {
		t.Errorf("packaged manifest does not match the schema: %v", err)
	}

	var again bytes.Buffer
	if err := Package(&again, testOptions); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("the same options gave different packages")
	}
}

func TestIcons(t *testing.T) {
	color := decodePNG(t, colorIcon)
	if s := color.Bounds().Size(); s != image.Pt(192, 192) {
		t.Errorf("color.png is %v, want 192×192", s)
	}
	outline := decodePNG(t, outlineIcon)
	if s := outline.Bounds().Size(); s != image.Pt(32, 32) {
		t.Errorf("outline.png is %v, want 32×32", s)
	}
	var drawn, clear int
	b := outline.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := outline.At(x, y).RGBA() // alpha-premultiplied
			switch {
			case a == 0:
				clear++
			case r == a && g == a && bl == a:
				drawn++
			default:
				t.Fatalf("outline.png pixel (%d,%d) is %v: only white and transparent are allowed", x, y, outline.At(x, y))
			}
		}
	}
	if drawn == 0 || clear == 0 {
		t.Errorf("outline.png has %d white and %d transparent pixels, want both", drawn, clear)
	}
}

func TestOptionsErrors(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want string // part of the message
	}{
		{"no app id", Options{}, "set MICROSOFT_APP_ID"},
		{"app id not a GUID", Options{AppID: "learnpact-bot"}, "MICROSOFT_APP_ID must be a GUID like 00000000-"},
		{"app id with braces", Options{AppID: "{" + testAppID + "}"}, "MICROSOFT_APP_ID must be a GUID"},
		{"version with v", Options{AppID: testAppID, Version: "v1.0.0"}, "MAJOR.MINOR.PATCH"},
		{"version with suffix", Options{AppID: testAppID, Version: "1.0.0-beta"}, "MAJOR.MINOR.PATCH"},
		{"two-part version", Options{AppID: testAppID, Version: "1.0"}, "MAJOR.MINOR.PATCH"},
		{"long name", Options{AppID: testAppID, Name: strings.Repeat("é", 31)}, "at most 30 characters"},
		{"name on two lines", Options{AppID: testAppID, Name: "learn\npact"}, "at most 30 characters on one line"},
		{"domain as URL", Options{AppID: testAppID, Domain: "https://bot.example.com"}, "without scheme, port or path"},
		{"domain with port", Options{AppID: testAppID, Domain: "bot.example.com:443"}, "without scheme, port or path"},
		{"domain with path", Options{AppID: testAppID, Domain: "bot.example.com/api"}, "without scheme, port or path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Package(&b, tc.opts)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Package = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes for invalid options", b.Len())
			}
		})
	}
}

func TestOptionsAllErrorsAtOnce(t *testing.T) {
	_, err := Manifest(Options{AppID: "x", Version: "one"})
	if err == nil || !strings.Contains(err.Error(), "MICROSOFT_APP_ID") || !strings.Contains(err.Error(), "MAJOR.MINOR.PATCH") {
		t.Fatalf("error = %v, want both the app id and the version named", err)
	}
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
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

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
