package cluster

import "testing"

func TestParseNames(t *testing.T) {
	tests := []struct {
		in      string
		parse   func(string) (string, error)
		wantErr string
	}{
		{"auto", parseAlg, ""},
		{"kmeans", parseAlg, ""},
		{"kprototypes", parseAlg, ""},
		{"", parseAlg, `must be auto, kmeans, hierarchical, dbscan, kmedoids or kprototypes, got ""`},
		{"KMeans", parseAlg, `must be auto, kmeans, hierarchical, dbscan, kmedoids or kprototypes, got "KMeans"`},
		{"ward", parseLink, ""},
		{"single", parseLink, ""},
		{"centroid", parseLink, `must be ward, complete, average or single, got "centroid"`},
	}
	for _, tt := range tests {
		got, err := tt.parse(tt.in)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.in):
			t.Errorf("parse(%q) = %q, %v; want %q", tt.in, got, err, tt.in)
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("parse(%q) error %v, want %s", tt.in, err, tt.wantErr)
		}
	}
}

func parseAlg(s string) (string, error)  { a, err := ParseAlgorithm(s); return string(a), err }
func parseLink(s string) (string, error) { m, err := ParseLinkage(s); return string(m), err }

func TestOrList(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a or b"}, {[]string{"a", "b", "c"}, "a, b or c"}} {
		if got := orList(tt.in); got != tt.want {
			t.Errorf("orList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
