//go:build linux

package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"pocket/internal/testimages"
)

// savedImageHolds reports whether any byte sequence needle is in the
// saved image: its config, manifest and every layer, decompressed.
func savedImageHolds(t *testing.T, root, img string, needle []byte) bool {
	t.Helper()
	out := filepath.Join(t.TempDir(), "img.tar")
	mustPocket(t, root, "save", "-o", out, img)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return false
		} else if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(tr)
		var r io.Reader = br
		if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(br)
			if err != nil {
				t.Fatalf("%s: %v", hdr.Name, err)
			}
			r = zr
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", hdr.Name, err)
		}
		if bytes.Contains(data, needle) {
			t.Logf("%s holds the secret", hdr.Name)
			return true
		}
	}
}

// short is the start of s's sha256, as the test steps record a secret
// they saw without writing it in the image.
func short(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:16]
}

// TestBuildSecret: RUN --mount=type=secret mounts --secret's value for
// that step alone (file with BuildKit's default path and mode, or its
// target, mode and owner, or a variable), never in a layer, the history
// or the cache key; a required secret not given is a clear error; a
// missing optional one is left out.
func TestBuildSecret(t *testing.T) {
	root := newRoot(t)
	const value = "s3cr3t-TOKEN-4b1d"
	const envValue = "env-s3cr3t-77aa"
	ctx := writeContext(t, map[string]string{
		"Dockerfile": "FROM busybox\n" +
			"RUN --mount=type=secret,id=tok sha256sum < /run/secrets/tok | cut -c1-16 > /mode && stat -c '%a %u %g' /run/secrets/tok >> /mode\n" +
			"RUN --mount=type=secret,id=tok,target=/etc/app/tok,mode=0440,uid=1000,gid=2000 stat -c '%a %u %g' /etc/app/tok > /mode2\n" +
			"RUN --mount=type=secret,id=envtok,env=MYTOK printf %s \"$MYTOK\" | sha256sum | cut -c1-16 > /nofile && (test -e /run/secrets/envtok || echo nofile >> /nofile)\n" +
			"RUN --mount=type=secret,id=absent ls /run/secrets/absent 2>/dev/null || echo absent > /absent\n" +
			"RUN test ! -e /run/secrets/tok && test ! -e /etc/app/tok && echo gone > /gone\n",
	})
	secretFile := filepath.Join(t.TempDir(), "tok")
	os.WriteFile(secretFile, []byte(value), 0o600)
	build := func(args ...string) result {
		cmd := pocketCmd(t, root, append([]string{"build", "--secret", "id=tok,src=" + secretFile, "--secret", "id=envtok,env=SECRET_ENV"}, args...)...)
		cmd.Env = append(cmd.Env, "SECRET_ENV="+envValue)
		r := runToEnd(t, cmd, "pocket build")
		if r.Code != 0 {
			t.Fatalf("build: %s", r)
		}
		return r
	}
	r := build("-t", "sec", ctx)
	if strings.Contains(r.Stdout+r.Stderr, value) || strings.Contains(r.Stdout+r.Stderr, envValue) {
		t.Errorf("build output shows a secret:\n%s", r)
	}
	out := mustPocket(t, root, "run", "--rm", "sec", "sh", "-c", "cat /mode /mode2 /nofile /absent /gone; ls -A /run/secrets /etc/app 2>&1 | wc -l").Stdout
	if want := short(value) + "\n400 0 0\n440 1000 2000\n" + short(envValue) + "\nnofile\nabsent\ngone\n2\n"; out != want {
		t.Errorf("image holds %q, want %q (no secret files, no mount stubs)", out, want)
	}
	for _, v := range []string{value, envValue} {
		if savedImageHolds(t, root, "sec", []byte(v)) {
			t.Errorf("the saved image holds the secret %q", v)
		}
	}
	for _, args := range [][]string{{"history", "--no-trunc", "sec"}, {"image", "inspect", "sec"}} {
		if out := mustPocket(t, root, args...).Stdout; strings.Contains(out, value) || strings.Contains(out, envValue) {
			t.Errorf("%v shows a secret:\n%s", args, out)
		}
	}

	// BuildKit: the secret's value is not part of the cache key.
	os.WriteFile(secretFile, []byte("another-value"), 0o600)
	if _, ran := cachedSteps(build("-t", "sec2", ctx).Stdout); len(ran) != 0 {
		t.Errorf("a changed secret reran %v, want every step cached", ran)
	}

	req := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN --mount=type=secret,id=nope,required=true true\n"})
	r = pocket(t, root, "build", req)
	if r.Code != 1 || !strings.Contains(r.Stderr, "secret nope not provided") || !strings.Contains(r.Stderr, "--secret id=nope") {
		t.Errorf("required secret not given: %s, want exit 1 naming it and the flag", r)
	}
	if r := pocket(t, root, "build", "--secret", "id=x,src=/nonexistent/file", req); r.Code != 1 || !strings.Contains(r.Stderr, "/nonexistent/file") {
		t.Errorf("--secret of a missing file: %s, want exit 1 naming it", r)
	}
}

// TestBuildSecretSymlinkTarget: an image whose secret target is a
// symlink to a host path (absolute, or climbing with ..) gets the
// secret mounted inside its own root; pocket, root on the host, writes
// nothing there and the host file keeps its content (CVE-2018-15664
// class: following a link the image planted to a host path).
func TestBuildSecretSymlinkTarget(t *testing.T) {
	root := newRoot(t)
	hostDir := t.TempDir()
	existing := filepath.Join(hostDir, "existing")
	os.WriteFile(existing, []byte("host content\n"), 0o644)
	missing := filepath.Join(hostDir, "missing")
	ctx := writeContext(t, map[string]string{
		"Dockerfile": "FROM busybox\n" +
			"RUN mkdir -p /run/secrets && ln -s " + existing + " /run/secrets/a && ln -s ../../../../../../../.." + missing + " /run/secrets/b && ln -s " + hostDir + " /run/secrets/dir\n" +
			"RUN --mount=type=secret,id=a --mount=type=secret,id=b --mount=type=secret,id=c,target=/run/secrets/dir/c " +
			"cat /run/secrets/a /run/secrets/b /run/secrets/dir/c | sha256sum | cut -c1-16 > /seen\n",
	})
	secret := filepath.Join(t.TempDir(), "s")
	os.WriteFile(secret, []byte("SECRET\n"), 0o600)
	mustPocket(t, root, "build", "-t", "symsec", "--secret", "id=a,src="+secret, "--secret", "id=b,src="+secret, "--secret", "id=c,src="+secret, ctx)
	if data, _ := os.ReadFile(existing); string(data) != "host content\n" {
		t.Errorf("host file now holds %q", data)
	}
	if _, err := os.Lstat(missing); err == nil {
		t.Errorf("%s was created on the host", missing)
	}
	if _, err := os.Lstat(filepath.Join(hostDir, "c")); err == nil {
		t.Errorf("%s was created on the host", filepath.Join(hostDir, "c"))
	}
	if out := mustPocket(t, root, "run", "--rm", "symsec", "cat", "/seen").Stdout; out != short("SECRET\nSECRET\nSECRET\n")+"\n" {
		t.Errorf("the step saw %q, want the secret three times", out)
	}
	if savedImageHolds(t, root, "symsec", []byte("SECRET")) {
		t.Error("the saved image holds the secret")
	}

	// CVE-2019-16884 class: a link into /proc must not make the secret
	// land on a kernel file (core_pattern runs a program as host root).
	before, _ := os.ReadFile("/proc/sys/kernel/core_pattern")
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\n"+
		"RUN mkdir -p /run/secrets && ln -s /proc/sys/kernel/core_pattern /run/secrets/a\n"+
		"RUN --mount=type=secret,id=a true\n"), 0o644)
	if r := pocket(t, root, "build", "--secret", "id=a,src="+secret, ctx); r.Code != 1 || !strings.Contains(r.Stderr, "inside /proc") {
		t.Errorf("secret target linked into /proc: %s, want exit 1 naming /proc", r)
	}
	if after, _ := os.ReadFile("/proc/sys/kernel/core_pattern"); string(after) != string(before) {
		t.Errorf("core_pattern changed from %q to %q", before, after)
	}
}

// agentListener is a Unix socket standing in for an SSH agent: it
// answers "pong" to each connection and counts them.
func agentListener(t *testing.T) (string, func() int) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var mu sync.Mutex
	n := 0
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			n++
			mu.Unlock()
			go func() {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				io.WriteString(c, "pong:"+line)
			}()
		}
	}()
	return sock, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// TestBuildSSH: RUN --mount=type=ssh forwards --ssh's agent socket at
// /run/buildkit/ssh_agent.0 (mode 0600) with SSH_AUTH_SOCK set, or at
// target=; --ssh ID=KEY serves the key as an agent; nothing of it stays
// in the image; a required agent not given is a clear error.
func TestBuildSSH(t *testing.T) {
	bin, err := testimages.Program("agentprobe")
	if err != nil {
		t.Fatal(err)
	}
	root := newRoot(t)
	sock, conns := agentListener(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "id_test")
	os.WriteFile(key, pem.EncodeToMemory(block), 0o600)
	ctx := writeContext(t, map[string]string{
		"Dockerfile": "FROM busybox\nCOPY agentprobe /usr/local/bin/\n" +
			"RUN --mount=type=ssh sh -c 'echo $SSH_AUTH_SOCK; stat -c \"%a %u\" $SSH_AUTH_SOCK; agentprobe raw' > /raw\n" +
			"RUN --mount=type=ssh,id=keys,target=/agent.sock,mode=0666 SSH_AUTH_SOCK=/agent.sock agentprobe list > /list && stat -c %a /agent.sock >> /list\n" +
			"RUN test ! -e /run/buildkit/ssh_agent.0 && test ! -e /agent.sock && echo gone > /gone\n",
	})
	os.WriteFile(filepath.Join(ctx, "agentprobe"), bin, 0o755)
	mustPocket(t, root, "build", "-t", "sshimg", "--ssh", "default="+sock, "--ssh", "keys="+key, ctx)
	out := mustPocket(t, root, "run", "--rm", "sshimg", "cat", "/raw", "/list", "/gone").Stdout
	if want := "/run/buildkit/ssh_agent.0\n600 0\npong:ping\nid_test ssh-ed25519\n666\ngone\n"; out != want {
		t.Errorf("image holds %q, want %q", out, want)
	}
	if conns() != 1 {
		t.Errorf("the agent saw %d connections, want 1", conns())
	}
	if savedImageHolds(t, root, "sshimg", []byte(sock)) {
		t.Error("the saved image names the host's agent socket")
	}

	req := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN --mount=type=ssh,required=true true\n"})
	if r := pocket(t, root, "build", req); r.Code != 1 || !strings.Contains(r.Stderr, "ssh agent default not provided") {
		t.Errorf("required ssh agent not given: %s, want exit 1 naming it", r)
	}
	env := pocketCmd(t, root, "build", "--ssh", "default", req)
	env.Env = append(env.Env, "SSH_AUTH_SOCK=")
	if r := runToEnd(t, env, "pocket build --ssh default"); r.Code != 1 || !strings.Contains(r.Stderr, "SSH_AUTH_SOCK") {
		t.Errorf("--ssh default without SSH_AUTH_SOCK: %s, want exit 1 naming it", r)
	}
}

// TestRootlessBuildSecret: a rootless build mounts secrets owned as the
// Dockerfile says (uid 1000 inside the user namespace) and forwards an
// agent socket.
func TestRootlessBuildSecret(t *testing.T) {
	bin, err := testimages.Program("agentprobe")
	if err != nil {
		t.Fatal(err)
	}
	e := newRootlessEnv(t, userWithSubIDs)
	sock, conns := agentListener(t)
	os.Chmod(filepath.Dir(sock), 0o755)
	os.Chmod(sock, 0o666)
	ctx := filepath.Join(e.dir, "ctx")
	os.MkdirAll(ctx, 0o755)
	os.WriteFile(filepath.Join(ctx, "agentprobe"), bin, 0o755)
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nCOPY agentprobe /usr/local/bin/\n"+
		"RUN --mount=type=secret,id=s,uid=1000,gid=1000 --mount=type=ssh "+
		"sh -c 'stat -c \"%a %u %g\" /run/secrets/s; sha256sum < /run/secrets/s | cut -c1-16; agentprobe raw' > /seen\n"), 0o644)
	secret := filepath.Join(e.dir, "s")
	os.WriteFile(secret, []byte("rootless-secret"), 0o600)
	os.Chown(secret, e.user.uid, e.user.gid)
	e.must(t, "build", "-t", "rlsec", "--secret", "id=s,src="+secret, "--ssh", "default="+sock, ctx)
	if out := e.runOut(t, "rlsec", "cat", "/seen"); out != "400 1000 1000\n"+short("rootless-secret")+"\npong:ping" {
		t.Errorf("rootless step saw %q", out)
	}
	if conns() != 1 {
		t.Errorf("the agent saw %d connections, want 1", conns())
	}
}
