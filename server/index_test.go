package server

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
)

func TestUsersIndex(t *testing.T) {
	ids := []string{"", "a", "b", "ab", "ünï", "a"} // "a" twice: the first row wins
	for i := range 1000 {
		ids = append(ids, fmt.Sprint("user-", i))
	}
	recs := map[string][]persona.Recommendation{"b": {{Product: "p", Score: 1}, {Product: "q", Score: 0.5}}, "user-7": {{Product: "q", Score: 2}}}
	u := newUsers(ids, recs)
	if u.len() != len(ids) {
		t.Fatalf("len = %d, want %d", u.len(), len(ids))
	}
	for i, id := range ids {
		got, ok := u.find(id)
		want := i
		if id == "a" {
			want = 1
		}
		if !ok || got != want || u.id(i) != id {
			t.Errorf("find(%q) = %d, %v; id(%d) = %q; want row %d", id, got, ok, i, u.id(i), want)
		}
	}
	for _, id := range []string{"c", "user-1000", "A", "ünï "} {
		if i, ok := u.find(id); ok {
			t.Errorf("find(%q) = %d, want not found", id, i)
		}
	}
	if diff := cmp.Diff(recs["b"], u.recommendations(2)); diff != "" {
		t.Errorf("recommendations of b (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(recs["user-7"], u.recommendations(6+7)); diff != "" {
		t.Errorf("recommendations of user-7 (-want +got):\n%s", diff)
	}
	if r := u.recommendations(0); r != nil {
		t.Errorf("recommendations of a user without any = %v, want nil", r)
	}
}
