package build

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path"
	"strings"
)

// isGit reports whether an ADD source is a git repository, as BuildKit
// tells them: git@HOST:PATH, git:// and ssh:// URLs, and HTTP(S) URLs
// whose path ends in .git, each with an optional #REF[:SUBDIR].
func isGit(src string) bool {
	if strings.HasPrefix(src, "git@") || strings.HasPrefix(src, "git://") || strings.HasPrefix(src, "ssh://") {
		return true
	}
	if !isURL(src) {
		return false
	}
	u, err := url.Parse(src)
	return err == nil && strings.HasSuffix(u.Path, ".git")
}

// gitSource is ADD of a git repository: the host's git fetches REF
// (HEAD by default) into a new repository of the build's temporary
// directory and checks it out; SUBDIR, or the whole tree, is copied as
// a directory of the context is, .git left out unless --keep-git-dir.
// A repository is hostile: git runs with no system or user
// configuration and no templates (so no hook of the host runs; hooks
// never come from a remote), hooks and fsmonitor off, the ext:: and
// file:// transports refused (a redirect or a submodule cannot reach
// the host's files), no submodules; what the checkout holds is read
// without following symlinks, as the context is. With --checksum the
// commit fetched must be the one named.
func (b *builder) gitSource(src, checksum string, keepGitDir bool) ([]entry, error) {
	remote, frag, _ := strings.Cut(src, "#")
	ref, subdir, _ := strings.Cut(frag, ":")
	if ref == "" {
		ref = "HEAD"
	}
	if strings.HasPrefix(ref, "-") {
		return nil, fmt.Errorf("ADD %s: invalid ref %q", src, ref)
	}
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("ADD %s: %w (hint: install git on the host)", src, err)
	}
	dir, err := os.MkdirTemp(b.tmp, "git-")
	if err != nil {
		return nil, err
	}
	run := func(args ...string) (string, error) {
		all := append([]string{
			"-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
			"-c", "protocol.ext.allow=never", "-c", "protocol.file.allow=never",
			"-c", "submodule.recurse=false", "-c", "advice.detachedHead=false",
			"-c", "init.defaultBranch=main",
		}, args...)
		cmd := exec.CommandContext(b.ctx, git, all...)
		cmd.Dir = dir
		cmd.Env = gitEnv(b.sshAgent("default"))
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(errb.String()))
		}
		return strings.TrimSpace(out.String()), nil
	}
	if _, err := run("init", "-q", "--template=", "."); err != nil {
		return nil, fmt.Errorf("ADD %s: %w", src, err)
	}
	if _, err := run("remote", "add", "origin", "--", remote); err != nil {
		return nil, fmt.Errorf("ADD %s: %w", src, err)
	}
	// A shallow fetch where the server can; the dumb HTTP transport
	// cannot, and gets the full history.
	if _, err := run("fetch", "-q", "--depth=1", "--no-tags", "origin", "--", ref); err != nil {
		if _, err := run("fetch", "-q", "--no-tags", "origin", "--", ref); err != nil {
			return nil, fmt.Errorf("ADD %s: %w", src, err)
		}
	}
	commit, err := run("rev-parse", "--verify", "FETCH_HEAD^{commit}")
	if err != nil {
		return nil, fmt.Errorf("ADD %s: %w", src, err)
	}
	// BuildKit: the commit, or a prefix of it (at least 7 digits).
	if checksum != "" && (len(checksum) < 7 || !strings.HasPrefix(commit, checksum)) {
		return nil, fmt.Errorf("ADD %s: %w: want commit %s, got %s", src, ErrChecksum, checksum, commit)
	}
	if _, err := run("checkout", "-q", "--detach", commit); err != nil {
		return nil, fmt.Errorf("ADD %s: %w", src, err)
	}
	bc := &buildContext{dir: dir}
	if sub := path.Clean("/" + subdir); sub != "/" {
		subdir = strings.TrimPrefix(sub, "/")
	} else {
		subdir = "."
	}
	es, _, err := bc.contextSources(subdir)
	if err != nil {
		return nil, fmt.Errorf("ADD %s: %w", src, err)
	}
	if keepGitDir {
		return es, nil
	}
	out := es[:0:0]
	for _, e := range es {
		if subdir == "." && (e.rel == ".git" || strings.HasPrefix(e.rel, ".git/")) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// gitEnv is the host's environment without git's own variables (but
// GIT_SSH_COMMAND and GIT_SSH, which say how the user reaches ssh
// remotes), with no system or global configuration and no prompt: only
// what gitSource passes on its command line configures git. HOME stays,
// for ssh's known hosts; --ssh default's agent, when a socket, is the
// one ssh asks, as BuildKit forwards it for git sources.
func gitEnv(agent *SSH) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") && k != "GIT_SSH_COMMAND" && k != "GIT_SSH" {
			continue
		}
		if k == "SSH_AUTH_SOCK" && agent != nil && agent.Socket != "" {
			continue
		}
		env = append(env, kv)
	}
	if agent != nil && agent.Socket != "" {
		env = append(env, "SSH_AUTH_SOCK="+agent.Socket)
	}
	return append(env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=/bin/false", "SSH_ASKPASS=/bin/false")
}
