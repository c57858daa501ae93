package dataset

import (
	"fmt"
	"strings"
)

// forbiddenWords are SQL words that have no place in a mapping, filter or
// query that only reads: statements that write or change the schema, the
// session or the server. The pushdown also runs every statement in a READ
// ONLY transaction of a connection whose default is read-only, so this
// check is the second line, and the one that gives a clear message.
var forbiddenWords = map[string]bool{
	"insert": true, "update": true, "delete": true, "merge": true, "upsert": true,
	"create": true, "alter": true, "drop": true, "truncate": true, "rename": true,
	"grant": true, "revoke": true, "copy": true, "vacuum": true, "reindex": true,
	"cluster": true, "refresh": true, "listen": true, "notify": true, "unlisten": true,
	"into": true, "call": true, "execute": true, "prepare": true, "deallocate": true,
	"discard": true, "savepoint": true, "commit": true, "rollback": true, "begin": true,
	"checkpoint": true, "import": true, "security": true,
}

// forbiddenFunctions have side effects or run SQL given as text, which
// would escape the check.
var forbiddenFunctions = map[string]bool{
	"set_config": true, "nextval": true, "setval": true, "lo_import": true, "lo_export": true,
	"lo_unlink": true, "lo_create": true, "lo_put": true, "dblink": true, "dblink_exec": true,
	"dblink_connect": true, "pg_terminate_backend": true, "pg_cancel_backend": true,
	"pg_reload_conf": true, "pg_rotate_logfile": true, "pg_notify": true,
	"pg_read_file": true, "pg_read_binary_file": true, "pg_ls_dir": true, "pg_stat_file": true,
	"pg_advisory_lock": true, "pg_advisory_xact_lock": true, "pg_try_advisory_lock": true,
	"query_to_xml": true, "query_to_xmlschema": true, "query_to_xml_and_xmlschema": true,
	"cursor_to_xml": true, "table_to_xml": true, "pg_sleep": true, "pg_sleep_for": true,
	"pg_sleep_until": true, "txid_current": true, "pg_current_xact_id": true,
}

// checkReadOnlySQL refuses SQL that is not one read-only expression or
// query: a statement separator, a word that writes (INSERT, CREATE, COPY,
// INTO ...) or a function with side effects, outside string literals,
// quoted identifiers and comments. query says the text is a whole query
// (postgres.query), which must then start with SELECT, WITH, VALUES or
// TABLE. The error names what it found; key names the config entry.
func checkReadOnlySQL(key, text string, query bool) error {
	words, err := sqlWords(text)
	if err != nil {
		return &ConfigError{Key: key, Err: err}
	}
	if query {
		if len(words) == 0 {
			return &ConfigError{Key: key, Err: fmt.Errorf("empty query")}
		}
		switch words[0].w {
		case "select", "with", "values", "table", "(":
		default:
			return &ConfigError{Key: key, Err: fmt.Errorf("a query pushed down to Postgres is one SELECT (or WITH ... SELECT), got %s", strings.ToUpper(words[0].w))}
		}
	}
	for i, w := range words {
		switch {
		case w.w == ";":
			if i == len(words)-1 && query {
				continue // one trailing semicolon
			}
			return &ConfigError{Key: key, Err: fmt.Errorf("one statement only: ';' at byte %d", w.at+1)}
		case forbiddenWords[w.w]:
			return &ConfigError{Key: key, Err: fmt.Errorf("%s at byte %d: mappings, filters and queries only read (the Postgres role needs only SELECT)", strings.ToUpper(w.w), w.at+1)}
		case forbiddenFunctions[w.w] && i+1 < len(words) && words[i+1].w == "(":
			return &ConfigError{Key: key, Err: fmt.Errorf("function %s at byte %d has side effects or runs SQL from text: not allowed in a pushed-down mapping", w.w, w.at+1)}
		}
	}
	return nil
}

type sqlWord struct {
	w  string // lowercased word, or one punctuation character: ; (
	at int
}

// sqlWords splits SQL into lowercased unquoted words and the characters ;
// and (, skipping string literals (quoted, E-quoted, dollar-quoted), quoted
// identifiers and comments. It fails on an unterminated one.
func sqlWords(s string) ([]sqlWord, error) {
	var out []sqlWord
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return out, nil
			}
			i += j + 1
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			depth, j := 1, i+2
			for ; j < len(s) && depth > 0; j++ {
				switch {
				case s[j] == '*' && j+1 < len(s) && s[j+1] == '/':
					depth--
					j++
				case s[j] == '/' && j+1 < len(s) && s[j+1] == '*':
					depth++
					j++
				}
			}
			if depth > 0 {
				return nil, fmt.Errorf("unterminated comment at byte %d", i+1)
			}
			i = j
		case c == '\'':
			backslash := i > 0 && (s[i-1] == 'e' || s[i-1] == 'E') && (i == 1 || !isWordByte(s[i-2]))
			j := i + 1
			for ; j < len(s); j++ {
				if backslash && s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at byte %d", i+1)
			}
			i = j + 1
		case c == '"':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated quoted identifier at byte %d", i+1)
			}
			i = j + 1
		case c == '$' && (i == 0 || !isWordByte(s[i-1])):
			k := i + 1
			for k < len(s) && isWordByte(s[k]) && !(s[k] >= '0' && s[k] <= '9' && k == i+1) {
				k++
			}
			if k < len(s) && s[k] == '$' {
				tag := s[i : k+1]
				end := strings.Index(s[k+1:], tag)
				if end < 0 {
					return nil, fmt.Errorf("unterminated dollar-quoted string at byte %d", i+1)
				}
				i = k + 1 + end + len(tag)
				continue
			}
			i++
		case isWordByte(c) && !(c >= '0' && c <= '9'):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, sqlWord{strings.ToLower(s[i:j]), i})
			i = j
		case c >= '0' && c <= '9':
			for i < len(s) && (isWordByte(s[i]) || s[i] == '.') {
				i++
			}
		case c == ';' || c == '(':
			out = append(out, sqlWord{string(c), i})
			i++
		default:
			i++
		}
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
