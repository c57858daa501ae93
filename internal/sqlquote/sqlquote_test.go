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
