package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/learnpact/learnpact/conversation/template"
)

// templatesCmd runs `learnpact templates check DIR`: it reads every
// template in DIR and prints each problem with file, line and field, or
// the templates found.
func templatesCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "check" {
		fmt.Fprint(stderr, "usage: learnpact templates check DIR\n")
		return 2
	}
	dir := args[1]
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "learnpact: templates: %s is not a directory\n", dir)
		return 2
	}
	lib, err := template.Load(os.DirFS(dir))
	if err != nil {
		var b strings.Builder
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(&b, "%s/%s\n", strings.TrimSuffix(dir, "/"), line)
		}
		fmt.Fprint(stderr, b.String())
		return 1
	}
	all := lib.All()
	for _, t := range all {
		fmt.Fprintf(stdout, "ok  %-24s %s (%s)\n", t.Ref(), t.Title, t.File)
	}
	fmt.Fprintf(stdout, "%d template(s), no problems\n", len(all))
	return 0
}
