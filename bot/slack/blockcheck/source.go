package blockcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// header declares the types payloads are checked against. %s is the
// quoted path of the @slack/types package.
const header = `import type { HomeView, KnownBlock, MessageAttachment, ModalView } from %s;

// Blocks are the Block Kit of a message or a view: known blocks only.
type Blocks = { blocks: KnownBlock[] };
// Message is a chat.postMessage or chat.update body. Its Block Kit, text
// and attachments are checked; other fields are the Web API's business.
type Message = { blocks: KnownBlock[]; text?: string; attachments?: MessageAttachment[]; [field: string]: unknown };
// The views of @slack/types accept any block with a type; checked views
// accept known blocks only.
type Modal = Omit<ModalView, "blocks"> & Blocks;
type Home = Omit<HomeView, "blocks"> & Blocks;
`

// kind is the @slack/types type a payload is checked against.
type kind string

const (
	kindMessage kind = "Message"
	kindModal   kind = "Modal"
	kindHome    kind = "Home"
)

// kindOf tells a view (an object with a type, as views.open takes it)
// from a message body (blocks and no type).
func kindOf(payload []byte) (kind, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil || fields == nil {
		return "", errors.New("a payload must be a JSON object: a message body with blocks, or a view")
	}
	t, ok := fields["type"]
	if !ok {
		return kindMessage, nil
	}
	var typ string
	if json.Unmarshal(t, &typ) == nil && typ == "home" {
		return kindHome, nil
	}
	return kindModal, nil
}

// source is a TypeScript file that assigns payloads to their types, with
// every JSON value on a line of its own so that diagnostics map back to
// a payload and a path in it.
type source struct {
	buf   bytes.Buffer
	lines []place // lines[i] is what line i+1 holds
	cur   place
}

// place is a payload's name and a JSON path in it.
type place struct {
	name string
	path string
}

func newSource(slackTypes string) *source {
	s := &source{}
	s.write(fmt.Sprintf(header, quote(slackTypes)))
	return s
}

// write appends text; every line it ends holds the current place.
func (s *source) write(text string) {
	for {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			s.buf.WriteString(text)
			return
		}
		s.buf.WriteString(text[:i+1])
		s.lines = append(s.lines, s.cur)
		text = text[i+1:]
	}
}

// newline starts a line that holds path, indented by depth.
func (s *source) newline(path string, depth int) {
	s.write("\n")
	s.cur.path = path
	s.buf.WriteString(strings.Repeat("  ", depth))
}

// add writes `const <id>: <kind> = <payload>;`, or nothing when payload
// is not valid JSON.
func (s *source) add(id, name string, k kind, payload []byte) (err error) {
	size, lines := s.buf.Len(), len(s.lines)
	defer func() {
		if err != nil {
			s.buf.Truncate(size)
			s.lines, s.cur = s.lines[:lines], place{}
		}
	}()
	s.cur = place{name: name}
	s.newline("", 0)
	s.write(fmt.Sprintf("export const %s: %s = ", id, k))
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := s.value(dec, "", 0); err != nil {
		return err
	}
	s.write(";\n")
	s.cur = place{}
	return nil
}

// place returns what line (1-based) holds, and whether it is a payload's.
func (s *source) place(line int) (place, bool) {
	if line < 1 || line > len(s.lines) {
		return place{}, false
	}
	p := s.lines[line-1]
	return p, p.name != ""
}

// value writes the next JSON value of dec, found at path.
func (s *source) value(dec *json.Decoder, path string, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return s.object(dec, path, depth)
		}
		return s.array(dec, path, depth)
	case string:
		s.write(quote(t))
	case json.Number:
		s.write(t.String())
	case bool:
		s.write(strconv.FormatBool(t))
	case nil:
		s.write("null")
	}
	return nil
}

func (s *source) object(dec *json.Decoder, path string, depth int) error {
	s.write("{")
	empty := true
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if !empty {
			s.write(",")
		}
		empty = false
		s.newline(join(path, key), depth+1)
		s.write(quote(key) + ": ")
		if err := s.value(dec, join(path, key), depth+1); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if !empty {
		s.newline(path, depth)
	}
	s.write("}")
	return nil
}

func (s *source) array(dec *json.Decoder, path string, depth int) error {
	s.write("[")
	n := 0
	for dec.More() {
		if n > 0 {
			s.write(",")
		}
		elem := fmt.Sprintf("%s[%d]", path, n)
		s.newline(elem, depth+1)
		if err := s.value(dec, elem, depth+1); err != nil {
			return err
		}
		n++
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if n > 0 {
		s.newline(path, depth)
	}
	s.write("]")
	return nil
}

var identifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// join appends key to path, like blocks[0].text or ["a b"].
func join(path, key string) string {
	if !identifier.MatchString(key) {
		return path + "[" + quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// quote writes s as a string literal that JSON and TypeScript read alike.
func quote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
