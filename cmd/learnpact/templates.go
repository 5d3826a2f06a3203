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
		for _, line := range templateProblems(dir, err) {
			fmt.Fprintln(stderr, line)
		}
		return 1
	}
	all := lib.All()
	for _, t := range all {
		fmt.Fprintf(stdout, "ok  %-24s %s (%s)\n", t.Ref(), t.Title, t.File)
	}
	fmt.Fprintf(stdout, "%d template(s), no problems\n", len(all))
	return 0
}

// templateProblems are the problems of loading the templates of dir, one
// a line, each naming its file (in dir), line and field.
func templateProblems(dir string, err error) []string {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(dir, "/") + "/" + l
	}
	return lines
}
