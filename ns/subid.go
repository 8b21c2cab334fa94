package ns

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// IDRange is a run of subordinate ids from /etc/subuid or /etc/subgid
// (subuid(5)): Count host ids starting at Start.
type IDRange struct {
	Start, Count int
}

// SubIDs returns the ranges r (the contents of /etc/subuid or /etc/subgid)
// grants to the user with this name or numeric id, in file order, as
// shadow-utils' newuidmap reads them. Lines that do not parse and empty
// ranges are skipped, as shadow-utils does.
func SubIDs(r io.Reader, name string, id int) ([]IDRange, error) {
	var out []IDRange
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != 3 || (f[0] != name && f[0] != strconv.Itoa(id)) {
			continue
		}
		start, err1 := strconv.ParseUint(f[1], 10, 32)
		count, err2 := strconv.ParseUint(f[2], 10, 32)
		if err1 != nil || err2 != nil || count == 0 || start+count > 1<<32-1 {
			continue
		}
		out = append(out, IDRange{Start: int(start), Count: int(count)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read subordinate ids: %w", err)
	}
	return out, nil
}

// idMapArgs is the "inside outside count" triples newuidmap and newgidmap
// take: id 0 is the user's own id, and the subordinate ranges follow from 1.
func idMapArgs(own int, ranges []IDRange) []string {
	args := []string{"0", strconv.Itoa(own), "1"}
	next := 1
	for _, r := range ranges {
		args = append(args, strconv.Itoa(next), strconv.Itoa(r.Start), strconv.Itoa(r.Count))
		next += r.Count
	}
	return args
}

// FreeSubIDRange suggests a range of 65536 ids for a new user: the first
// one from 100000 up, on a 65536 boundary, that no line of any of files
// (the contents of /etc/subuid and /etc/subgid) overlaps, so that the hint
// pocket prints can be pasted as it is.
func FreeSubIDRange(files ...[]byte) IDRange {
	const size = 65536
	var taken []IDRange
	for _, f := range files {
		for _, line := range strings.Split(string(f), "\n") {
			p := strings.Split(strings.TrimSpace(line), ":")
			if len(p) != 3 {
				continue
			}
			start, err1 := strconv.ParseUint(p[1], 10, 32)
			count, err2 := strconv.ParseUint(p[2], 10, 32)
			if err1 == nil && err2 == nil {
				taken = append(taken, IDRange{Start: int(start), Count: int(count)})
			}
		}
	}
	for start := 100000; ; start += size {
		free := true
		for _, r := range taken {
			if start < r.Start+r.Count && r.Start < start+size {
				free = false
				break
			}
		}
		if free {
			return IDRange{Start: start, Count: size}
		}
	}
}
