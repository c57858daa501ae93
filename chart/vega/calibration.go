package vega

// CalibrationSpec is the input of Calibration: a model's predictions set
// against what happened, by group along x (lifetimes'
// plot_calibration_purchases_vs_holdout_purchases: the customers grouped
// by their purchases in the calibration period, the mean purchases of the
// holdout period actual and predicted).
type CalibrationSpec struct {
	Title, Caption string
	XTitle, YTitle string
	// Groups are the categories along x, in order; Customers the size
	// of each, shown on hover (nil leaves it out).
	Groups    []string
	Customers []int
	// Series are the lines, one value per group (NaN: no point): the
	// first drawn solid, the others dashed.
	Series []Series
}

// calibrationColors colour the series: blue, then orange and green (the
// first colours of the segment palette).
var calibrationColors = []string{"#0072b2", "#e69f00", "#009e73", "#d55e00"}

// Calibration draws one line per series over ordered groups, with the
// values and the group's size on hover.
func Calibration(s CalibrationSpec) Spec {
	names := make([]string, len(s.Series))
	colors := make([]string, len(s.Series))
	dashes := make([]any, len(s.Series))
	for k, ser := range s.Series {
		names[k], colors[k] = ser.Name, calibrationColors[k%len(calibrationColors)]
		dashes[k] = []int{}
		if k > 0 {
			dashes[k] = []int{6, 3}
		}
	}
	var rows []any
	format := ",.4~g"
	for k, ser := range s.Series {
		if k == 0 && ser.Format != "" {
			format = ser.Format
		}
		for g, x := range s.Groups {
			r := obj{"series": ser.Name, "x": x, "y": clean(ser.Y[g])}
			if s.Customers != nil {
				r["customers"] = s.Customers[g]
			}
			rows = append(rows, r)
		}
	}
	tips := []any{tip("series", "line", "nominal", ""), tip("x", s.XTitle, "ordinal", ""), tip("y", s.YTitle, "quantitative", format)}
	if s.Customers != nil {
		tips = append(tips, tip("customers", "customers", "quantitative", ","))
	}
	enc := obj{
		"x": obj{"field": "x", "type": "ordinal", "sort": s.Groups, "title": s.XTitle, "axis": obj{"labelAngle": 0}},
		"y": obj{"field": "y", "type": "quantitative", "title": s.YTitle},
		"color": obj{"field": "series", "type": "nominal", "title": nil, "sort": names,
			"scale": obj{"domain": names, "range": colors}, "legend": obj{"orient": "bottom", "symbolType": "stroke"}},
		"tooltip": tips,
	}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["width"] = Width
	spec["height"] = 240
	spec["encoding"] = enc
	spec["layer"] = []any{
		obj{"mark": obj{"type": "line", "strokeWidth": 2}, "encoding": obj{
			"strokeDash": obj{"field": "series", "type": "nominal", "title": nil, "sort": names, "scale": obj{"domain": names, "range": dashes}}}},
		obj{"mark": obj{"type": "point", "filled": true, "size": 40}},
	}
	return spec
}
