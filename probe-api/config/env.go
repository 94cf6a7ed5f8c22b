package config

import "strings"

// LookupEnv finds an environment variable, like os.LookupEnv.
type LookupEnv func(name string) (string, bool)

// envError is an expansion failure at byte offset off of the scalar.
type envError struct {
	off int
	msg string
	err error
}

// expand replaces ${NAME} and ${NAME:-default} in s. $$ is a literal $, and a
// $ followed by anything else is kept as it is. An unset NAME without a
// default is an error; with lookup nil every variable counts as unset and
// expands to its default or to nothing, which gives what the file alone says
// (the "literal view" used to catch secrets written into the file). When
// parts is not nil, what each reference expanded to is appended to it.
func expand(s string, lookup LookupEnv, parts *[]string) (string, *envError) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '{':
		default:
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", &envError{off: i, msg: "unclosed ${", err: ErrInvalid}
		}
		ref := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(ref, ":-")
		if !validEnvName(name) {
			return "", &envError{off: i, msg: "bad variable name in ${" + ref + "}: use ${NAME} or ${NAME:-default}", err: ErrInvalid}
		}
		var val string
		var ok bool
		if lookup != nil {
			val, ok = lookup(name)
		}
		switch {
		case ok && (val != "" || !hasDef):
		case hasDef:
			val = def
		case lookup == nil:
		default:
			return "", &envError{off: i, msg: "environment variable " + name + " is not set (give a default with ${" + name + ":-value})", err: ErrUnsetEnv}
		}
		b.WriteString(val)
		if parts != nil && val != "" {
			*parts = append(*parts, val)
		}
		i += end
	}
	return b.String(), nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
