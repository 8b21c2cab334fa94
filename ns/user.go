package ns

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// maxID is the largest uid or gid pocket accepts, as runc and Docker: ids
// are 32 bits in the kernel, so a larger number would wrap (4294967296 is
// uid 0), and (uid_t)-1 means "unchanged" to setresuid.
const maxID = math.MaxInt32

// passwdEntry is one line of /etc/passwd.
type passwdEntry struct {
	Name string
	UID  int
	GID  int
	Home string
}

// groupEntry is one line of /etc/group.
type groupEntry struct {
	Name    string
	GID     int
	Members []string
}

// execUser is who the container's process runs as.
type execUser struct {
	UID    int
	GID    int
	Groups []int // supplementary groups, primary first
	Home   string
}

// parsePasswd reads an /etc/passwd file. Lines that do not parse are
// skipped, as libc does: an image's passwd is not ours to reject.
func parsePasswd(r io.Reader) ([]passwdEntry, error) {
	var out []passwdEntry
	err := eachLine(r, func(f []string) {
		if len(f) < 4 {
			return
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if f[0] == "" || err1 != nil || err2 != nil || !validID(uid) || !validID(gid) {
			return
		}
		e := passwdEntry{Name: f[0], UID: uid, GID: gid}
		if len(f) > 5 {
			e.Home = f[5]
		}
		out = append(out, e)
	})
	return out, err
}

// parseGroup reads an /etc/group file, skipping lines that do not parse.
func parseGroup(r io.Reader) ([]groupEntry, error) {
	var out []groupEntry
	err := eachLine(r, func(f []string) {
		if len(f) < 3 {
			return
		}
		gid, err := strconv.Atoi(f[2])
		if f[0] == "" || err != nil || !validID(gid) {
			return
		}
		e := groupEntry{Name: f[0], GID: gid}
		if len(f) > 3 && f[3] != "" {
			for _, m := range strings.Split(f[3], ",") {
				if m = strings.TrimSpace(m); m != "" {
					e.Members = append(e.Members, m)
				}
			}
		}
		out = append(out, e)
	})
	return out, err
}

// eachLine calls fn with the colon-separated fields of each line that is
// neither blank nor a comment.
func eachLine(r io.Reader, fn func([]string)) error {
	if r == nil {
		return nil
	}
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fn(strings.Split(line, ":"))
	}
	return s.Err()
}

// resolveUser turns a --user spec ("", "name", "uid", "uid:gid",
// "name:group", "uid:group") into ids, the way Docker (runc's
// GetExecUser) does: a numeric uid absent from passwd is allowed with gid 0;
// an unknown name is an error. Supplementary groups come from /etc/group
// membership when no group is given.
func resolveUser(spec string, passwd []passwdEntry, group []groupEntry) (execUser, error) {
	userArg, groupArg, hasGroup := strings.Cut(spec, ":")
	if userArg == "" {
		userArg = "0"
	}
	u := execUser{Home: "/"}
	var name string
	uid, numeric, err := parseID(userArg)
	if err != nil {
		return execUser{}, err
	}
	if numeric {
		u.UID = uid
		if i := slices.IndexFunc(passwd, func(e passwdEntry) bool { return e.UID == uid }); i >= 0 {
			name, u.GID, u.Home = passwd[i].Name, passwd[i].GID, passwd[i].Home
		}
	} else {
		i := slices.IndexFunc(passwd, func(e passwdEntry) bool { return e.Name == userArg })
		if i < 0 {
			return execUser{}, fmt.Errorf("unable to find user %s: %w", userArg, ErrNoUser)
		}
		name, u.UID, u.GID, u.Home = userArg, passwd[i].UID, passwd[i].GID, passwd[i].Home
	}
	if u.Home == "" {
		u.Home = "/"
	}

	if hasGroup && groupArg != "" {
		gid, numeric, err := parseID(groupArg)
		if err != nil {
			return execUser{}, err
		}
		if numeric {
			u.GID = gid
		} else {
			i := slices.IndexFunc(group, func(e groupEntry) bool { return e.Name == groupArg })
			if i < 0 {
				return execUser{}, fmt.Errorf("unable to find group %s: %w", groupArg, ErrNoGroup)
			}
			u.GID = group[i].GID
		}
		u.Groups = []int{u.GID}
		return u, nil
	}

	// Implicit group: the primary one plus every group naming the user, as
	// initgroups(3) would give a login.
	u.Groups = []int{u.GID}
	if name != "" {
		for _, g := range group {
			if slices.Contains(g.Members, name) && !slices.Contains(u.Groups, g.GID) {
				u.Groups = append(u.Groups, g.GID)
			}
		}
	}
	return u, nil
}

// CheckUser rejects a --user spec whose numeric uid or gid is out of range,
// so that pocket fails before it creates anything; names are resolved in
// the container.
func CheckUser(spec string) error {
	userArg, groupArg, _ := strings.Cut(spec, ":")
	for _, id := range []string{userArg, groupArg} {
		if _, _, err := parseID(id); err != nil {
			return err
		}
	}
	return nil
}

// parseID reads a numeric uid or gid. A name is not numeric; a number
// outside 0..maxID is an error, never wrapped to 32 bits.
func parseID(s string) (id int, numeric bool, err error) {
	digits := strings.TrimLeft(s, "+-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" || len(s)-len(digits) > 1 {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || !validID(n) {
		return 0, true, fmt.Errorf("invalid user or group %q: %w", s, ErrIDRange)
	}
	return int(n), true, nil
}

func validID[T int | int64](id T) bool { return id >= 0 && id <= maxID }

// addGroups appends the --group-add groups to u's supplementary ones: a
// gid as it is, a name as the container's /etc/group has it (an unknown
// name is an error, as in runc).
func addGroups(u *execUser, add []string, group []groupEntry) error {
	for _, g := range add {
		gid, numeric, err := parseID(g)
		if err != nil {
			return err
		}
		if !numeric {
			i := slices.IndexFunc(group, func(e groupEntry) bool { return e.Name == g })
			if i < 0 {
				return fmt.Errorf("unable to find group %s: %w", g, ErrNoGroup)
			}
			gid = group[i].GID
		}
		if !slices.Contains(u.Groups, gid) {
			u.Groups = append(u.Groups, gid)
		}
	}
	return nil
}
