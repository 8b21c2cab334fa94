package run

import "fmt"

// ParseTail turns `logs --tail`'s value into LogsOptions.Tail: "all" is -1,
// otherwise a count of lines from the end.
func ParseTail(v string) (int, error) {
	if v == "all" {
		return -1, nil
	}
	// fmt.Sscan, as pocket always parsed it: it takes the leading number
	// of the value ("5" of "5x"); strconv.Atoi would refuse more.
	n := -1
	if _, err := fmt.Sscan(v, &n); err != nil || n < 0 {
		return 0, fmt.Errorf("tail %q: want \"all\" or a count of lines", v)
	}
	return n, nil
}
