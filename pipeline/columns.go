package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/audience"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// userColumns reads what a run keeps per user beside its features
// (persona.Results.Columns), in the order of tab.UserIDs: the outcomes,
// every loaded attribute as the data gives it (a user's least value, as
// the features take it; dates as text), and the SHA-256 hashes of the
// email and phone attributes (package audience) — never their values.
// An attribute named in two tables is named table_name.
func userColumns(ctx context.Context, db *sql.DB, cfg *dataset.Config, tab *features.Table) ([]persona.Column, error) {
	var out []persona.Column
	if db == nil {
		return nil, nil // pushed down: the pushdown refuses attributes and outcomes (dataset.Config.PushdownEngine)
	}
	for _, o := range tab.Outcomes {
		out = append(out, persona.Column{Name: o.Name, Kind: persona.KindOutcome, Numbers: o.Values})
	}
	per := cfg.PerUser()
	count := map[string]int{}
	for _, pu := range per {
		for _, a := range pu.Source.Attributes {
			if a.Loaded() {
				count[dataset.Slug(a.Name)]++
			}
		}
	}
	for _, pu := range per {
		var attrs []dataset.Attribute
		for _, a := range pu.Source.Attributes {
			if a.Loaded() {
				attrs = append(attrs, a)
			}
		}
		if len(attrs) == 0 {
			continue
		}
		cols, err := tableColumns(ctx, db, pu, attrs, tab.UserIDs)
		if err != nil {
			return nil, fmt.Errorf("%s attributes: %w", pu.Kind, err)
		}
		for k, a := range attrs {
			name := dataset.Slug(a.Name)
			if count[name] > 1 {
				name = dataset.Slug(string(pu.Kind)) + "_" + name
			}
			switch a.Type {
			case dataset.TypeEmail:
				c := persona.Column{Name: audience.EmailColumns(name)[0], Kind: persona.KindIdentifier, Texts: make([]string, len(tab.UserIDs))}
				for i, v := range cols[k].Texts {
					c.Texts[i] = audience.HashEmail(v)
				}
				out = append(out, c)
			case dataset.TypePhone:
				names := audience.PhoneColumns(name)
				e164 := persona.Column{Name: names[0], Kind: persona.KindIdentifier, Texts: make([]string, len(tab.UserIDs))}
				digits := persona.Column{Name: names[1], Kind: persona.KindIdentifier, Texts: make([]string, len(tab.UserIDs))}
				for i, v := range cols[k].Texts {
					e164.Texts[i], digits.Texts[i] = audience.HashPhone(v, a.Country)
				}
				out = append(out, e164, digits)
			default:
				c := cols[k]
				c.Name, c.Kind = name, persona.KindAttribute
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// tableColumns reads attrs of the per-user table pu for the users ids:
// numbers as numbers, the rest as text.
func tableColumns(ctx context.Context, db *sql.DB, pu dataset.PerUser, attrs []dataset.Attribute, ids []string) ([]persona.Column, error) {
	sel := []string{"user_id"}
	cols := make([]persona.Column, len(attrs))
	for k, a := range attrs {
		q := `"` + strings.ReplaceAll(a.Name, `"`, `""`) + `"`
		switch a.Type {
		case dataset.TypeNumeric:
			sel = append(sel, "CAST(min("+q+") AS DOUBLE)")
			cols[k].Numbers = make([]float64, len(ids))
			for i := range cols[k].Numbers {
				cols[k].Numbers[i] = math.NaN()
			}
		case dataset.TypeDate, dataset.TypeAge:
			sel = append(sel, fmt.Sprintf("CASE WHEN CAST(min(%[1]s) AS TIME) = TIME '00:00:00' THEN strftime(min(%[1]s), '%%Y-%%m-%%d') ELSE strftime(min(%[1]s), '%%Y-%%m-%%d %%H:%%M:%%S') END", q))
			cols[k].Texts = make([]string, len(ids))
		default:
			sel = append(sel, "CAST(min("+q+") AS VARCHAR)")
			cols[k].Texts = make([]string, len(ids))
		}
	}
	rows, err := db.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+pu.View+" WHERE user_id IS NOT NULL GROUP BY user_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	texts := make([]sql.NullString, len(attrs))
	nums := make([]sql.NullFloat64, len(attrs))
	var u string
	dest := []any{&u}
	for k := range attrs {
		if cols[k].Numbers != nil {
			dest = append(dest, &nums[k])
		} else {
			dest = append(dest, &texts[k])
		}
	}
	at := make(map[string]int, len(ids))
	for j, id := range ids {
		at[id] = j
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		i, ok := at[u]
		if !ok {
			continue // a user without features
		}
		for k := range attrs {
			if cols[k].Numbers != nil {
				if nums[k].Valid {
					cols[k].Numbers[i] = nums[k].Float64
				}
			} else if texts[k].Valid {
				cols[k].Texts[i] = texts[k].String
			}
		}
	}
	return cols, rows.Err()
}
