package audience

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// NormalizeEmail returns an e-mail address as customer lists hash it
// (Google Customer Match, Meta custom audiences, TikTok): without the
// spaces around it, lowercase. It returns "" for a value that is not an
// address: no @, nothing on one side of it, or spaces inside.
func NormalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsFunc(s, unicode.IsSpace) || !strings.Contains(s[at:], ".") {
		return ""
	}
	return s
}

// NormalizePhone returns a phone number in E.164 form, + then the country
// calling code and the number's digits (+14155552671), as Google's
// Customer Match hashes it; Meta's form is the same without the +. A
// number written with + or 00 carries its country code; another is
// national: its leading zeros (trunk prefix) are dropped and country (the
// default calling code, "44" or "+44") put first, and without one it has
// no form. Spaces, dashes, dots and brackets are dropped, an extension (x
// or ext and digits after the number) too. It returns "" when what is
// left is not 8 to 15 digits.
func NormalizePhone(s, country string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	intl := false
	switch {
	case strings.HasPrefix(s, "+"):
		intl, s = true, s[1:]
	case strings.HasPrefix(s, "00"):
		intl, s = true, s[2:]
	}
	var d strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		case (r == 'x' || r == 'X' || r == 'e' || r == 'E' || r == '#') && d.Len() > 0:
			// An extension: x12, ext. 12, #12.
			rest := strings.TrimLeft(strings.ToLower(s[i:]), "xext.# ")
			if strings.Trim(rest, "0123456789 ") != "" {
				return ""
			}
			return finishPhone(d.String(), intl, country)
		default:
			return ""
		}
	}
	return finishPhone(d.String(), intl, country)
}

func finishPhone(digits string, intl bool, country string) string {
	if !intl {
		cc := strings.TrimPrefix(strings.TrimSpace(country), "+")
		if cc == "" || len(cc) > 3 || cc[0] == '0' || strings.Trim(cc, "0123456789") != "" {
			return ""
		}
		national := strings.TrimLeft(digits, "0")
		// A North American number written 1 415 555 2671 already holds
		// its country code.
		if !(cc == "1" && len(national) == 11 && national[0] == '1') {
			national = cc + national
		}
		digits = national
	}
	if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return ""
	}
	return "+" + digits
}

// SHA256 returns the lowercase hex SHA-256 of s; "" for "".
func SHA256(s string) string {
	if s == "" {
		return ""
	}
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Identifier columns of a contact attribute named name: the hashes a run
// keeps (never the values).
func EmailColumns(name string) []string { return []string{name + "_sha256"} }

// PhoneColumns are the hashes of a phone attribute: of the E.164 form
// (Google Customer Match, TikTok) and of its digits without + (Meta).
func PhoneColumns(name string) []string { return []string{name + "_sha256", name + "_digits_sha256"} }

// HashEmail returns the value of EmailColumns' column for address s.
func HashEmail(s string) string { return SHA256(NormalizeEmail(s)) }

// HashPhone returns the values of PhoneColumns' columns for number s.
func HashPhone(s, country string) (e164, digits string) {
	n := NormalizePhone(s, country)
	if n == "" {
		return "", ""
	}
	return SHA256(n), SHA256(n[1:])
}
