package template

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// MaxTemplates is the most templates a directory may hold.
const MaxTemplates = 200

// Library is the templates of one directory, by id.
type Library struct {
	byID  map[string]Template
	order []string // ids, by title
}

// Load reads every *.yaml and *.yml file of fsys's root (LEARNPACT_TEMPLATES,
// as os.DirFS). It reports every problem of every file, and ids used by
// two files, as Errors; the library is then nil.
func Load(fsys fs.FS) (*Library, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	var errs Errors
	lib := &Library{byID: map[string]Template{}}
	n := 0
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		if n++; n > MaxTemplates {
			errs = append(errs, Error{File: e.Name(), Msg: fmt.Sprintf("more than %d templates in the directory", MaxTemplates)})
			break
		}
		data, err := readLimited(fsys, e.Name())
		if err != nil {
			errs = append(errs, Error{File: e.Name(), Msg: err.Error()})
			continue
		}
		t, err := Parse(e.Name(), data)
		if err != nil {
			errs = append(errs, err.(Errors)...)
			continue
		}
		if prev, dup := lib.byID[t.ID]; dup {
			errs = append(errs, Error{File: e.Name(), Line: 1, Field: "id",
				Msg: fmt.Sprintf("%q is the id of %s too; each template needs its own", t.ID, prev.File)})
			continue
		}
		lib.byID[t.ID] = t
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for id := range lib.byID {
		lib.order = append(lib.order, id)
	}
	slices.SortFunc(lib.order, func(a, b string) int {
		return cmp.Or(strings.Compare(strings.ToLower(lib.byID[a].Title), strings.ToLower(lib.byID[b].Title)), strings.Compare(a, b))
	})
	return lib, nil
}

// readLimited reads a file of at most MaxFileSize bytes.
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if info.Size() > MaxFileSize {
		return nil, fmt.Errorf("the file is %d bytes; a template may have at most %d", info.Size(), MaxFileSize)
	}
	return fs.ReadFile(fsys, name)
}

// Get returns the template with id.
func (l *Library) Get(id string) (Template, bool) {
	if l == nil {
		return Template{}, false
	}
	t, ok := l.byID[id]
	return t, ok
}

// All returns the templates, by title.
func (l *Library) All() []Template {
	if l == nil {
		return nil
	}
	out := make([]Template, len(l.order))
	for i, id := range l.order {
		out[i] = l.byID[id]
	}
	return out
}
