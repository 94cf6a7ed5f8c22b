package incident

import "strconv"

// civil returns the date of a day counted from 1970-01-01, in the proleptic
// Gregorian calendar (Howard Hinnant's civil_from_days).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// days is the inverse of civil (days_from_civil); the year is at least 1.
func days(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// Stamp returns the date ("2026-11-26") and the time ("17:42:05") of ms in
// the local time offsetMin minutes east of UTC.
func Stamp(ms int64, offsetMin int) (date, clock string) {
	s := ms/1000 + int64(offsetMin)*60
	day, sec := s/86400, s%86400
	if sec < 0 {
		day, sec = day-1, sec+86400
	}
	y, m, d := civil(day)
	return strconv.FormatInt(y, 10) + "-" + two(m) + "-" + two(d),
		two(sec/3600) + ":" + two(sec/60%60) + ":" + two(sec%60)
}

// When returns ms as a reader of a postmortem wants it, with its offset:
// "2026-11-26 17:42 UTC+01:00".
func When(ms int64, offsetMin int) string {
	date, clock := Stamp(ms, offsetMin)
	sign, off := "+", int64(offsetMin)
	if off < 0 {
		sign, off = "-", -off
	}
	return date + " " + clock[:5] + " UTC" + sign + two(off/60) + ":" + two(off%60)
}

// two writes n, below 100, in two digits.
func two(n int64) string { return strconv.FormatInt(100+n, 10)[1:] }

// InputValue returns ms as a datetime-local input holds it, to the second:
// "2026-11-26T17:42:05".
func InputValue(ms int64, offsetMin int) string {
	date, clock := Stamp(ms, offsetMin)
	return date + "T" + clock
}

// ParseTime reads an RFC 3339 time in UTC to the second, as Alertmanager
// writes startsAt with {{ .StartsAt.UTC.Format "2006-01-02T15:04:05Z07:00" }}:
// "2026-11-26T17:42:05Z". It reports false for anything else, and for times
// before 1970 (Alertmanager's zero time).
func ParseTime(s string) (int64, bool) {
	const layout = "0000-00-00T00:00:00Z"
	if len(s) != len(layout) {
		return 0, false
	}
	var v [7]int64 // year, month, day, hour, minute, second, and past the Z
	k := 0
	for i := range len(layout) {
		switch c := s[i]; {
		case layout[i] == '0' && c >= '0' && c <= '9':
			v[k] = v[k]*10 + int64(c-'0')
		case c == layout[i] || c == layout[i]+'a'-'A' && layout[i] >= 'T' || i == 10 && c == ' ':
			k++
		default:
			return 0, false
		}
	}
	if v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60 {
		return 0, false
	}
	return (days(v[0], v[1], v[2])*86400 + v[3]*3600 + v[4]*60 + v[5]) * 1000, true
}

// NewID names a new incident started at ms by that millisecond, in base
// 36: "INC-mi5x2k3a". Two responders who start incidents apart get apart
// IDs; one who starts two at once gets two only a millisecond apart.
func NewID(ms int64) string { return "INC-" + strconv.FormatInt(ms, 36) }

// ValidID reports whether id can name an incident: 1 to 40 ASCII letters,
// digits and dashes.
func ValidID(id string) bool {
	if id == "" || len(id) > 40 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// Int reads a non-negative decimal integer of at most 18 digits, as the
// store and share links write them. (strconv's parsers would bring
// strconv.Quote and its tables into the widgets.)
func Int(s string) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || i >= 18 {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, s != ""
}
