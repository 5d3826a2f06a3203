package teams

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// wrapMarked formats text with a markdown marker, keeping the marker
// against the text (leading and trailing spaces go outside it).
func wrapMarked(text, marker string) string {
	if strings.Contains(text, "\n") {
		lines := strings.Split(text, "\n")
		for i, l := range lines {
			lines[i] = wrapMarked(l, marker)
		}
		return strings.Join(lines, "\n")
	}
	core := strings.TrimSpace(text)
	if core == "" {
		return escapeMarkdown(text)
	}
	i := strings.Index(text, core)
	return text[:i] + marker + escapeMarkdown(core) + marker + text[i+len(core):]
}

// wrapCode shows text in a code span; backticks inside become quotes, since
// a code span cannot escape them.
func wrapCode(text string) string {
	core := strings.TrimSpace(strings.ReplaceAll(text, "`", "'"))
	if core == "" {
		return ""
	}
	return "`" + core + "`"
}

// link renders a hyperlink when its target is a web or mail address, else
// its label alone.
func link(target, label string) string {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") || (u.Scheme != "mailto" && u.Host == "") {
		return escapeMarkdown(defaultString(label, target))
	}
	safe := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u.String())
	return "[" + escapeMarkdown(defaultString(label, target)) + "](" + safe + ")"
}

// markdownSpecial are the characters escaped with a backslash wherever
// they appear.
// Only the characters Teams' markdown subset acts on are escaped (bold,
// italic, code, links, mentions): clients differ in how they show other
// escapes.
var markdownSpecial = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `[`, `\[`, `]`, `\]`, `<`, `\<`,
)

// escapeMarkdown makes user text show as typed in a TextBlock: markdown
// characters are escaped, and a line that would start a list does not.
func escapeMarkdown(s string) string {
	s = markdownSpecial.Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		pad := l[:len(l)-len(trimmed)]
		switch {
		case strings.HasPrefix(trimmed, "-") || strings.HasPrefix(trimmed, "+"):
			lines[i] = pad + `\` + trimmed
		default:
			j := 0
			for j < len(trimmed) && trimmed[j] >= '0' && trimmed[j] <= '9' {
				j++
			}
			if j > 0 && j < len(trimmed) && trimmed[j] == '.' {
				lines[i] = pad + trimmed[:j] + `\` + trimmed[j:]
			}
		}
	}
	return strings.Join(lines, "\n")
}

// prefixRunes is the first n characters of s.
func prefixRunes(s string, n int) string {
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	return s
}

// clipRunes cuts s to at most n characters, ending in "…" when cut.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	return prefixRunes(s, n-1) + "…"
}

func defaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
