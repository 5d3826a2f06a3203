package template

import (
	"embed"
	"io/fs"
)

//go:embed examples/*.yaml
var examples embed.FS

// Examples returns the templates that ship with learnpact, used when
// LEARNPACT_TEMPLATES names no directory.
func Examples() fs.FS {
	sub, err := fs.Sub(examples, "examples")
	if err != nil {
		panic(err) // the embedded directory is there at build time
	}
	return sub
}
