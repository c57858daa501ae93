package server

// RouteInfo is one pattern of the server's mux, for the tests.
type RouteInfo struct {
	Pattern string
	Access  string // open, read or write
	Page    bool
}

// Routes lists every pattern s's mux serves: the table routes registers
// them from.
func Routes(s *Server) []RouteInfo {
	var out []RouteInfo
	for _, r := range s.routeTable() {
		out = append(out, RouteInfo{r.pattern, r.access.String(), r.page})
	}
	return out
}
