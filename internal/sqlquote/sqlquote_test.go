package sqlquote

import "testing"

func TestQuote(t *testing.T) {
	tests := []struct{ got, want string }{
		{Ident("plain"), `"plain"`},
		{Ident(`my "col"`), `"my ""col"""`},
		{Ident(""), `""`},
		{String("it's"), `'it''s'`},
		{String(`a"b`), `'a"b'`},
		{String("''"), `''''''`},
		{List(nil), ``},
		{List([]string{"a", "b'c"}), `'a', 'b''c'`},
		{Array(nil), `[]`},
		{Array([]string{"x"}), `['x']`},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %s, want %s", i, tt.got, tt.want)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "'", "a'b''c", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := String(s)
		if len(q) < 2 || q[0] != '\'' || q[len(q)-1] != '\'' {
			t.Fatalf("String(%q) = %s: not in quotes", s, q)
		}
		// Reading it back: every quote inside comes doubled.
		inner, back := q[1:len(q)-1], []byte{}
		for i := 0; i < len(inner); i++ {
			if inner[i] == '\'' {
				if i+1 >= len(inner) || inner[i+1] != '\'' {
					t.Fatalf("String(%q) = %s: a lone quote inside", s, q)
				}
				i++
			}
			back = append(back, inner[i])
		}
		if string(back) != s {
			t.Fatalf("String(%q) reads back as %q", s, back)
		}
	})
}

func TestUnident(t *testing.T) {
	tests := []struct {
		in     string
		name   string
		quoted bool
	}{
		{"plain", "plain", false},
		{"  spaced \t", "spaced", false},
		{`"Order Date"`, "Order Date", true},
		{` "my ""col""" `, `my "col"`, true},
		{`""`, `""`, false}, // nothing inside: left as written
		{`"a`, `"a`, false},
		{"price * 1.2", "price * 1.2", false},
	}
	for _, tt := range tests {
		name, quoted := Unident(tt.in)
		if name != tt.name || quoted != tt.quoted {
			t.Errorf("Unident(%q) = %q, %v; want %q, %v", tt.in, name, quoted, tt.name, tt.quoted)
		}
	}
}

func FuzzUnident(f *testing.F) {
	for _, s := range []string{"", "plain", `"a""b"`, ` "x" `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// A name quoted by Ident reads back as itself.
		if s == "" {
			return
		}
		name, quoted := Unident(Ident(s))
		if !quoted || name != s {
			t.Fatalf("Unident(Ident(%q)) = %q, %v", s, name, quoted)
		}
	})
}
