package features

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/internal/sqlquote"
)

// customCTEs defines one CTE per dataset that custom features aggregate
// (cf0, cf1, ...): a row per user with each feature's aggregate, over the
// rows up to as_of for the datasets with timestamps.
func (b *builder) customCTEs(asOf string) {
	b.customFrom = map[string]string{}
	var order []string
	sel := map[string][]string{}
	for j, c := range b.custom {
		if _, ok := b.customFrom[c.From]; !ok {
			b.customFrom[c.From] = "cf" + strconv.Itoa(len(order))
			order = append(order, c.From)
		}
		sel[c.From] = append(sel[c.From], fmt.Sprintf("CAST((%s) AS %s) AS c%d", c.Select, b.d.Double(), j))
	}
	for _, from := range order {
		where := "user_id IS NOT NULL"
		switch dataset.Kind(from) {
		case dataset.Events, dataset.Transactions, dataset.Social:
			where += " AND timestamp <= " + asOf
		}
		b.def(b.customFrom[from], nil, fmt.Sprintf("\n  SELECT user_id, %s\n  FROM %s WHERE %s GROUP BY user_id", strings.Join(sel[from], ", "), sqlquote.Ident(from), where))
	}
}

// customCols adds the custom features' columns: the aggregate, or the
// feature's default for users without rows in its dataset (and for a NULL,
// NaN or infinite aggregate).
func (b *builder) customCols() {
	for j, c := range b.custom {
		v := fmt.Sprintf("%s.c%d", b.customFrom[c.From], j)
		desc := fmt.Sprintf("custom: %s over %s; %s without rows", c.Select, c.From, num(c.Default))
		b.attrCol(Feature{Name: c.Name, Group: GroupCustom, Description: desc, Heavy: c.Log1p},
			fmt.Sprintf("coalesce(CASE WHEN %s THEN %s END, %s)", b.d.IsFinite(v), v, b.float(c.Default)), fmt.Sprintf("features.custom[%d]", j))
	}
}
