package synth

// Fast, allocation-free formatting of the values written to the CSV files.
// time.Format and fmt would dominate the run time.

// floorDiv returns a/b rounded towards minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// weekday returns the weekday (0 = Sunday) of the day d days after
// 1970-01-01, which was a Thursday.
func weekday(d int64) int {
	return int((d%7 + 7 + 4) % 7)
}

// civil returns the proleptic Gregorian date of the day d days after
// 1970-01-01 (H. Hinnant's days-to-civil algorithm).
func civil(d int64) (y, m, dd int64) {
	z := d + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, dd
}

// appendDate appends the UTC date of the Unix time t as 2006-01-02.
func appendDate(b []byte, t int64) []byte {
	y, m, d := civil(floorDiv(t, day))
	b = appendPad(b, y, 4)
	b = append(b, '-')
	b = appendPad(b, m, 2)
	b = append(b, '-')
	return appendPad(b, d, 2)
}

// appendTimestamp appends the UTC time t as 2006-01-02 15:04:05.
func appendTimestamp(b []byte, t int64) []byte {
	b = appendDate(b, t)
	s := t - floorDiv(t, day)*day
	b = append(b, ' ')
	b = appendPad(b, s/3600, 2)
	b = append(b, ':')
	b = appendPad(b, s/60%60, 2)
	b = append(b, ':')
	return appendPad(b, s%60, 2)
}

// appendPad appends the non-negative n in decimal, zero-padded to width
// digits (wider numbers are written in full).
func appendPad(b []byte, n int64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n >= 10 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	tmp[i] = byte('0' + n)
	for len(tmp)-i < width {
		b = append(b, '0')
		width--
	}
	return append(b, tmp[i:]...)
}

// appendID appends an identifier: prefix then n zero-padded to width.
func appendID(b []byte, prefix byte, n, width int) []byte {
	return appendPad(append(b, prefix), int64(n), width)
}

// appendFixed2 appends hundredths h (>= 0) as a decimal with two places:
// 1999 → 19.99.
func appendFixed2(b []byte, h int64) []byte {
	b = appendPad(b, h/100, 1)
	b = append(b, '.')
	return appendPad(b, h%100, 2)
}
