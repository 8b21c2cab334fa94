package ns

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

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
		if f[0] == "" || err1 != nil || err2 != nil || uid < 0 || gid < 0 {
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
		if f[0] == "" || err != nil || gid < 0 {
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
	if uid, err := strconv.Atoi(userArg); err == nil {
		if uid < 0 {
			return execUser{}, fmt.Errorf("user %q: uid must not be negative", spec)
		}
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
		if gid, err := strconv.Atoi(groupArg); err == nil {
			if gid < 0 {
				return execUser{}, fmt.Errorf("group %q: gid must not be negative", groupArg)
			}
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
