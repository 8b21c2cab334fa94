//go:build linux

package e2e

import (
	"encoding/json"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestCLIContract: the exit statuses and streams scripts rely on, as
// Docker's CLI keeps them. Help goes to stdout with status 0; a refused
// command line goes to stderr only, with 125 for a bad flag (any command:
// docker/cli's FlagErrorFunc) and 1 for the rest (argument counts,
// unknown commands); a failing command exits 1, but run's own failures
// exit 125. want is the exact start of the stream, in whole lines; the
// other stream must be empty.
func TestCLIContract(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "user", "busybox", "true")
	const stdout, stderr = "stdout", "stderr"
	for _, tc := range []struct {
		args   []string
		code   int
		stream string
		want   string
	}{
		// A command other than run fails: 1 (pull's are in TestPullBadReferences).
		{[]string{"rmi", "nosuchimage"}, 1, stderr, "pocket: no such image: nosuchimage:latest\n"},
		{[]string{"rm", "nosuchcontainer"}, 1, stderr, "pocket: no such container: nosuchcontainer\n"},
		{[]string{"stop", "nosuchcontainer"}, 1, stderr, "pocket: no such container: nosuchcontainer\n"},
		{[]string{"logs", "nosuchcontainer"}, 1, stderr, "pocket: no such container: nosuchcontainer\n"},
		{[]string{"volume", "rm", "nosuchvolume"}, 1, stderr, "pocket: no such volume: nosuchvolume\n"},
		{[]string{"rmi", "busybox"}, 1, stderr, `pocket: conflict: unable to remove repository reference "busybox" (must force) - container `}, // in use

		// Run's own failures: 125.
		{[]string{"run", "--pull", "never", "nosuchimage"}, 125, stderr, "pocket: no such image: nosuchimage (hint: pull it or use --pull missing)\n"},

		// Wrong argument counts: 1, in cli/required.go's words, for run too.
		{[]string{"pull"}, 1, stderr, "pocket: 'pocket pull' requires at least 1 argument\n\n" +
			"Usage:  pocket pull [OPTIONS] IMAGE\n\nSee 'pocket pull --help' for more information\n"},
		{[]string{"image", "inspect"}, 1, stderr, "pocket: 'pocket image inspect' requires at least 1 argument\n"},
		{[]string{"container", "rm"}, 1, stderr, "pocket: 'pocket container rm' requires at least 1 argument\n"},
		{[]string{"tag", "a"}, 1, stderr, "pocket: 'pocket tag' requires 2 arguments\n\n" +
			"Usage:  pocket tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nRun 'pocket tag --help' for more information\n"},
		{[]string{"volume", "create", "a", "b"}, 1, stderr, "pocket: 'pocket volume create' requires at most 1 argument\n"},
		{[]string{"version", "extra"}, 1, stderr, "pocket: 'pocket version' accepts no arguments\n"},
		{[]string{"ps", "extra"}, 1, stderr, "pocket: 'pocket ps' accepts no arguments\n\n" +
			"Usage:  pocket ps [OPTIONS]\n\nRun 'pocket ps --help' for more information\n"},
		{[]string{"system", "prune", "extra"}, 1, stderr, "pocket: 'pocket system prune' accepts no arguments\n"},
		{[]string{"run"}, 1, stderr, "pocket: 'pocket run' requires at least 1 argument\n"},

		// Unknown commands: 1, never urfave/cli's "No help topic".
		{[]string{"bogus"}, 1, stderr, "pocket: unknown command: pocket bogus\n\nRun 'pocket --help' for more information\n"},
		{[]string{"image", "bogus"}, 1, stderr, "pocket: unknown command: pocket image bogus\n\n" +
			"Usage:  pocket image\n\nRun 'pocket image --help' for more information\n"},
		{[]string{"help", "bogus"}, 1, stderr, "unknown help topic: bogus\n"},

		// Bad flags: 125 whatever the command, pflag's words.
		{[]string{"ps", "--bogus"}, 125, stderr, "unknown flag: --bogus\n\n" +
			"Usage:  pocket ps [OPTIONS]\n\nRun 'pocket ps --help' for more information\n"},
		{[]string{"ps", "-z"}, 125, stderr, "unknown shorthand flag: 'z' in -z\n"},
		{[]string{"image", "ls", "--format"}, 125, stderr, "flag needs an argument: --format\n\n" +
			"Usage:  pocket image ls [OPTIONS] [REPOSITORY[:TAG]]\n"},
		{[]string{"--bogus", "ps"}, 125, stderr, "unknown flag: --bogus\n\n" +
			"Usage:  pocket [OPTIONS] COMMAND [ARG...]\n\nRun 'pocket --help' for more information\n"},
		{[]string{"run", "--bogus", "busybox"}, 125, stderr, "unknown flag: --bogus\n\nUsage:  pocket run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"},
		{[]string{"run", "--cpu-shares", "x", "busybox"}, 125, stderr, `invalid argument "x" for "-c, --cpu-shares" flag: parse error` + "\n"},
		// run's -h is --hostname, even one that reads as a boolean.
		{[]string{"run", "-h"}, 125, stderr, "flag needs an argument: 'h' in -h\n"},
		{[]string{"run", "--rm", "-h", "true", "busybox", "hostname"}, 0, stdout, "true\n"},

		// Help: stdout, 0; -h everywhere but run.
		{[]string{"help"}, 0, stdout, "NAME:\n   pocket - run containers from OCI and Docker images, without a daemon\n"},
		{[]string{"--help"}, 0, stdout, "NAME:\n   pocket - run containers from OCI and Docker images, without a daemon\n"},
		{[]string{"-h"}, 0, stdout, "NAME:\n   pocket - run containers from OCI and Docker images, without a daemon\n"},
		{[]string{"help", "pull"}, 0, stdout, "NAME:\n   pocket pull - download an image from a registry\n"},
		{[]string{"help", "image", "ls"}, 0, stdout, "NAME:\n   pocket image ls - list images\n"},
		{[]string{"ps", "-h"}, 0, stdout, "NAME:\n   pocket ps - list containers\n"},
		{[]string{"ps", "--help"}, 0, stdout, "NAME:\n   pocket ps - list containers\n"},
		{[]string{"container", "ls", "-h"}, 0, stdout, "NAME:\n   pocket container ls - list containers\n"},
		{[]string{"image", "-h"}, 0, stdout, "NAME:\n   pocket image - manage images\n"},
		{[]string{"run", "--help"}, 0, stdout, "NAME:\n   pocket run - create and run a new container from an image\n"},
		// Without a command, as `docker` and `docker image`: help on stderr, 0.
		{nil, 0, stderr, "NAME:\n   pocket - run containers from OCI and Docker images, without a daemon\n"},
		{[]string{"image"}, 0, stderr, "NAME:\n   pocket image - manage images\n"},

		{[]string{"version"}, 0, stdout, "Client:\n"},
		{[]string{"--version"}, 0, stdout, "pocket version "},
	} {
		name := strings.Join(tc.args, " ")
		if name == "" {
			name = "no command"
		}
		t.Run(name, func(t *testing.T) {
			r := pocket(t, root, tc.args...)
			got, other := r.Stdout, r.Stderr
			if tc.stream == stderr {
				got, other = r.Stderr, r.Stdout
			}
			if r.Code != tc.code || !strings.HasPrefix(got, tc.want) || other != "" {
				t.Errorf("want exit %d, %s starting with %q and nothing on the other stream\n%s", tc.code, tc.stream, tc.want, r)
			}
			if strings.Contains(r.Stdout+r.Stderr, "pocket pocket") {
				t.Errorf("usage says \"pocket pocket\"\n%s", r)
			}
		})
	}
}

// TestVersion: `pocket version` has Docker's layout and --format, and
// `pocket --version` Docker's line, saying the same version and commit.
func TestVersion(t *testing.T) {
	root := newRoot(t)
	line := mustPocket(t, root, "--version").Stdout
	m := regexp.MustCompile(`^pocket version (\S+), build (\S+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("--version: %q, want \"pocket version X, build COMMIT\"", line)
	}
	ver, commit := m[1], m[2]
	if got := mustPocket(t, root, "-v").Stdout; got != line {
		t.Errorf("-v: %q, want %q", got, line)
	}
	for _, tc := range []struct{ format, want string }{
		{"{{.Client.Version}}", ver + "\n"},
		{"{{.Client.GitCommit}}", commit + "\n"},
		{"{{.Client.Os}}/{{.Client.Arch}}", runtime.GOOS + "/" + runtime.GOARCH + "\n"},
		{"{{upper .Client.Os}}", strings.ToUpper(runtime.GOOS) + "\n"}, // Docker's template functions
	} {
		if got := mustPocket(t, root, "version", "--format", tc.format).Stdout; got != tc.want {
			t.Errorf("version --format %s: %q, want %q", tc.format, got, tc.want)
		}
	}
	for _, format := range []string{"{{json .}}", "json"} {
		var v struct{ Client map[string]string }
		out := mustPocket(t, root, "version", "-f", format).Stdout
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("version -f %s: %v\n%s", format, err, out)
		}
		if v.Client["Version"] != ver || v.Client["GitCommit"] != commit || v.Client["GoVersion"] != runtime.Version() ||
			v.Client["Os"] != runtime.GOOS || v.Client["Arch"] != runtime.GOARCH || v.Client["BuildTime"] == "" {
			t.Errorf("version -f %s: %v", format, v.Client)
		}
	}
	out := mustPocket(t, root, "version").Stdout
	for _, want := range []string{"Client:\n", "\n Version:           " + ver + "\n", "\n Git commit:        " + commit + "\n",
		"\n Go version:        " + runtime.Version() + "\n", "\n OS/Arch:           " + runtime.GOOS + "/" + runtime.GOARCH + "\n", "\n Built:  "} {
		if !strings.Contains(out, want) {
			t.Errorf("version: no %q in\n%s", want, out)
		}
	}
	// A template that does not parse: Docker's 64, on stderr.
	if r := pocket(t, root, "version", "--format", "{{.Client"); r.Code != 64 || !strings.HasPrefix(r.Stderr, "template parsing error: ") || r.Stdout != "" {
		t.Errorf("version --format {{.Client: want exit 64 and a template parsing error\n%s", r)
	}
}

// TestFlagForms: the short and the long form of one flag in one command
// both count, as in Docker's CLI (urfave/cli alone refuses "two forms of
// the same flag").
func TestFlagForms(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "create", "--name", "forms",
		"-e", "A=1", "--env", "B=2", "-v", "/a", "--volume", "/b", "-l", "x=1", "--label", "y=2",
		"-p", "8080:80", "--publish", "8081:81", "busybox")
	t.Cleanup(func() { pocket(t, root, "rm", "-f", "-v", "forms") })
	for format, want := range map[string]string{
		"{{json .Config.Env}}":              `["A=1","B=2","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]`,
		"{{json .Config.Labels}}":           `{"x":"1","y":"2"}`,
		"{{len .Mounts}}":                   "2",
		"{{json .HostConfig.PortBindings}}": `{"80/tcp":[{"HostIp":"","HostPort":"8080"}],"81/tcp":[{"HostIp":"","HostPort":"8081"}]}`,
	} {
		if got := strings.TrimSpace(mustPocket(t, root, "inspect", "--format", format, "forms").Stdout); got != want {
			t.Errorf("inspect %s: %s, want %s", format, got, want)
		}
	}
	// And in exec's -e/--env, with combined short flags.
	startContainer(t, root, "formsx")
	if got := mustPocket(t, root, "exec", "-i", "-e", "C=3", "--env", "D=4", "formsx", "sh", "-c", "echo $C$D").Stdout; got != "34\n" {
		t.Errorf("exec -e C=3 --env D=4: %q", got)
	}
}
