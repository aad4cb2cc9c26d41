package model

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokenKind classifies a token of the model language.
type tokenKind int

const (
	tEOF    tokenKind = iota
	tName             // size, 5g, requires (keywords are names too)
	tNumber           // 12, 6.5, 1_299_00 (unsigned; the parser handles "-")
	tString           // "Body size", with escapes already undone
	tPunct            // { } ( ) , ; : . * + - = != < <= > >= ==
)

// token is one lexical token. For a string, text holds its value; for other
// kinds, its source text.
type token struct {
	kind  tokenKind
	text  string
	num   Decimal // value of a number
	pos   Pos
	first bool // first token on its line
}

// describe names the token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tString:
		return "string " + quote(t.text)
	}
	return quote(t.text)
}

// is reports whether t is the punctuation or name s.
func (t token) is(s string) bool {
	return (t.kind == tPunct || t.kind == tName) && t.text == s
}

// reserved words cannot be names.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "requires": true,
	"excludes": true, "implies": true, "true": true, "false": true,
}

// topKeywords start a top-level declaration; error recovery resumes at them.
var topKeywords = map[string]bool{
	"model": true, "currency": true, "property": true, "group": true,
	"attribute": true, "rule": true, "constraint": true, "table": true,
}

// lexer turns source text into tokens, reporting malformed ones.
type lexer struct {
	file  string
	src   []byte
	i     int // byte offset
	line  int
	col   int
	last  int // line of the previous token
	toks  []token
	diags Diagnostics
}

// lex splits src into tokens, ending with a tEOF token.
func lex(file string, src []byte) ([]token, Diagnostics) {
	lx := &lexer{file: file, src: src, line: 1, col: 1}
	lx.run()
	return lx.toks, lx.diags
}

func (lx *lexer) pos() Pos { return Pos{File: lx.file, Line: lx.line, Col: lx.col} }

func (lx *lexer) errorf(pos Pos, format string, args ...any) {
	lx.diags = append(lx.diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// peek returns the byte at offset k from the current one, or 0.
func (lx *lexer) peek(k int) byte {
	if lx.i+k < len(lx.src) {
		return lx.src[lx.i+k]
	}
	return 0
}

// advance moves past one rune, keeping line and column (counted in runes).
func (lx *lexer) advance() rune {
	r, n := utf8.DecodeRune(lx.src[lx.i:])
	lx.i += n
	if r == '\n' {
		lx.line++
		lx.col = 1
	} else {
		lx.col++
	}
	return r
}

func (lx *lexer) emit(t token) {
	t.first = len(lx.toks) == 0 || t.pos.Line != lx.last
	lx.last = t.pos.Line
	lx.toks = append(lx.toks, t)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isWordByte(c byte) bool { return isDigit(c) || isLetter(c) || c == '_' }

func (lx *lexer) run() {
	for lx.i < len(lx.src) {
		c := lx.src[lx.i]
		pos := lx.pos()
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			lx.advance()
		case c == '#':
			for lx.i < len(lx.src) && lx.src[lx.i] != '\n' {
				lx.advance()
			}
		case c == '"':
			lx.str(pos)
		case isWordByte(c):
			lx.word(pos)
		default:
			lx.punct(pos)
		}
	}
	lx.emit(token{kind: tEOF, pos: lx.pos()})
}

// word scans a name or a number: a run of letters, digits and underscores
// that starts with a digit and holds only digits and underscores is a number.
func (lx *lexer) word(pos Pos) {
	start := lx.i
	for lx.i < len(lx.src) && isWordByte(lx.src[lx.i]) {
		lx.advance()
	}
	w := string(lx.src[start:lx.i])
	if !isDigit(w[0]) || strings.IndexFunc(w, func(r rune) bool { return r != '_' && (r < '0' || r > '9') }) >= 0 {
		lx.emit(token{kind: tName, text: w, pos: pos})
		return
	}
	if lx.peek(0) == '.' && isDigit(lx.peek(1)) {
		lx.advance()
		fs := lx.i
		for lx.i < len(lx.src) && isWordByte(lx.src[lx.i]) {
			lx.advance()
		}
		w += "." + string(lx.src[fs:lx.i])
	}
	t := token{kind: tNumber, text: w, pos: pos}
	if !wellFormedNumber(w) {
		lx.errorf(pos, "malformed number %q", w)
	} else if d, err := ParseDecimal(w); err != nil {
		lx.errorf(pos, "%v", err)
	} else {
		t.num = d
	}
	lx.emit(t)
}

// wellFormedNumber reports whether w is digits, optionally "." and digits,
// with underscores only between digits.
func wellFormedNumber(w string) bool {
	ip, fp, dot := strings.Cut(w, ".")
	ok := func(s string) bool {
		if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
			return false
		}
		for i := 0; i < len(s); i++ {
			if !isDigit(s[i]) && s[i] != '_' {
				return false
			}
		}
		return true
	}
	return ok(ip) && (!dot || ok(fp))
}

// str scans a double-quoted string with \" and \\ escapes. A string ends at
// the end of its line.
func (lx *lexer) str(pos Pos) {
	lx.advance()
	var b strings.Builder
	for {
		if lx.i >= len(lx.src) || lx.src[lx.i] == '\n' {
			lx.errorf(pos, "string not terminated")
			break
		}
		c := lx.src[lx.i]
		if c == '"' {
			lx.advance()
			break
		}
		if c == '\\' {
			ep := lx.pos()
			lx.advance()
			switch lx.peek(0) {
			case '"', '\\':
				b.WriteByte(lx.src[lx.i])
				lx.advance()
			default:
				lx.errorf(ep, `unknown escape in string; only \" and \\ are allowed`)
			}
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(lx.src[lx.i:])
			if r == utf8.RuneError && n == 1 {
				lx.errorf(lx.pos(), "invalid UTF-8 in string")
				lx.advance()
				continue
			}
		}
		b.WriteRune(lx.advance())
	}
	lx.emit(token{kind: tString, text: b.String(), pos: pos})
}

var twoCharPunct = []string{"!=", "<=", ">=", "=="}

func (lx *lexer) punct(pos Pos) {
	if lx.i+1 < len(lx.src) {
		two := string(lx.src[lx.i : lx.i+2])
		for _, p := range twoCharPunct {
			if two == p {
				lx.advance()
				lx.advance()
				lx.emit(token{kind: tPunct, text: p, pos: pos})
				return
			}
		}
	}
	c := lx.src[lx.i]
	if strings.IndexByte("{}(),;:.*+-=<>", c) >= 0 {
		lx.advance()
		lx.emit(token{kind: tPunct, text: string(c), pos: pos})
		return
	}
	r, n := utf8.DecodeRune(lx.src[lx.i:])
	switch {
	case r == utf8.RuneError && n == 1:
		lx.errorf(pos, "invalid UTF-8")
	case c == '!':
		lx.errorf(pos, `unexpected character '!'; use "not" or "!="`)
	default:
		lx.errorf(pos, "unexpected character %q", r)
	}
	lx.advance()
}

// quote returns s in double quotes with " and \ escaped, as the language
// writes strings.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
