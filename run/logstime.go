package run

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// logTimeFormat is how logs -t prints an entry's time: RFC 3339 with
// nanoseconds always nine digits wide, as Docker's (jsonmessage's
// RFC3339NanoFixed), so that the columns line up.
const logTimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// unixTime is Docker's seconds[.nanoseconds] since the epoch.
var unixTime = regexp.MustCompile(`^-?[0-9]+(\.[0-9]{1,9})?$`)

// ParseLogTime reads logs --since/--until as Docker's CLI does
// (timetypes.GetTimestamp): a duration before now ("10m", "1h30m"), a
// Unix time ("1700000000", "1700000000.5"), or an RFC 3339 date or time,
// whole or cut short ("2026-12-01", "2026-12-01T10:00"), in local time
// when it names no zone.
func ParseLogTime(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	if unixTime.MatchString(v) {
		sec, frac, _ := strings.Cut(v, ".")
		s, err := strconv.ParseInt(sec, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("failed to parse value as time or duration: %q", v)
		}
		var ns int64
		if frac != "" {
			n, _ := strconv.ParseInt(frac, 10, 64)
			ns = n * int64(math.Pow10(9-len(frac)))
		}
		return time.Unix(s, ns), nil
	}
	zoned := []string{time.RFC3339Nano, "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02T15Z07:00"}
	for _, l := range zoned {
		if t, err := time.Parse(l, v); err == nil {
			return t, nil
		}
	}
	local := []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15", "2006-01-02"}
	for _, l := range local {
		if t, err := time.ParseInLocation(l, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("failed to parse value as time or duration: %q", v)
}
