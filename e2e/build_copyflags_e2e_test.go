//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildCopyFlags: COPY --exclude, --parents and --link give what
// BuildKit gives: excluded paths matched below each source, parents kept
// from the context (or from the /./ pivot), wildcard directories copied
// by their contents; --link layers that do not depend on the image
// below (the same layer on two bases whose /d differ) and refuse --chown
// by name; sources never leave the context.
func TestBuildCopyFlags(t *testing.T) {
	root := newRoot(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("outside\n"), 0o644)
	ctx := writeContext(t, map[string]string{
		"dir1/file-101.png":  "101",
		"dir1/file-102.txt":  "102",
		"dir2/file-201.pdf":  "201",
		"dir2/sub/x.txt":     "x",
		"hom.txt":            "hom",
		"home.md":            "home",
		"top.txt":            "top",
		"src/README":         "readme",
		"src/a/main.go":      "main",
		"src/b/util.go":      "util",
		"src/b/util_test.go": "test",
		"escape/link":        "->" + outside,
		"escape/rel":         "->../../" + filepath.Base(outside),
		"Dockerfile": "FROM busybox AS st\nRUN mkdir -p /o/src/a /o/src/b && echo m > /o/src/a/main.go && echo u > /o/src/b/util.go && echo r > /o/src/README\n" +
			"FROM busybox\n" +
			"COPY --exclude=*/*.png --exclude=Dockerfile . /1/\n" +
			"COPY --exclude=*.txt dir* /2/\n" +
			"COPY --exclude=*.txt hom* /3/\n" +
			"COPY --parents src/*/*.go /4/\n" +
			"COPY --parents ./src/./b/util.go /5/\n" +
			"COPY --parents --exclude=**/*_test.go src /6/\n" +
			"COPY --link top.txt /7/deep/\n" +
			"COPY --link --chown=1000:1000 dir2 /8/\n" +
			"COPY --parents escape/*/*.txt escape/link /9/\n" +
			"COPY --from=st --parents /o/./src/*/*.go /10/\n",
	})
	mustPocket(t, root, "build", "-t", "cpflags", ctx)
	out := mustPocket(t, root, "run", "--rm", "cpflags", "sh", "-c",
		"find /1/dir1 /2 /3 /4 /5 /6 /7 /8 /9 /10 | sort; stat -c %u /8/sub/x.txt; readlink /9/escape/link").Stdout
	want := strings.Join([]string{
		"/1/dir1", "/1/dir1/file-102.txt",
		"/10", "/10/src", "/10/src/a", "/10/src/a/main.go", "/10/src/b", "/10/src/b/util.go",
		"/2", "/2/file-101.png", "/2/file-201.pdf", "/2/sub", "/2/sub/x.txt",
		"/3", "/3/home.md",
		"/4", "/4/src", "/4/src/a", "/4/src/a/main.go", "/4/src/b", "/4/src/b/util.go", "/4/src/b/util_test.go",
		"/5", "/5/b", "/5/b/util.go",
		"/6", "/6/src", "/6/src/README", "/6/src/a", "/6/src/a/main.go", "/6/src/b", "/6/src/b/util.go",
		"/7", "/7/deep", "/7/deep/top.txt",
		"/8", "/8/file-201.pdf", "/8/sub", "/8/sub/x.txt",
		"/9", "/9/escape", "/9/escape/link",
		"1000", outside, "",
	}, "\n")
	if out != want {
		t.Errorf("image holds\n%s\nwant\n%s", out, want)
	}

	// --link: the layer is the same whatever the image below has at /d.
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox AS a\nRUN mkdir -m 700 /d && chown 5:5 /d\nCOPY --link top.txt /d/\n"+
		"FROM busybox AS b\nRUN mkdir -m 755 /d\nCOPY --link top.txt /d/\n"), 0o644)
	mustPocket(t, root, "build", "--target", "a", "-t", "linka", ctx)
	mustPocket(t, root, "build", "--target", "b", "-t", "linkb", ctx)
	last := func(img string) string {
		ls := lines(mustPocket(t, root, "image", "inspect", "--format", "{{range .RootFS.Layers}}{{println .}}{{end}}", img).Stdout)
		return ls[len(ls)-1]
	}
	if a, b := last("linka"), last("linkb"); a != b {
		t.Errorf("COPY --link layers differ on two bases: %s and %s", a, b)
	}
	if out := mustPocket(t, root, "run", "--rm", "linka", "cat", "/d/top.txt").Stdout; out != "top" {
		t.Errorf("linka /d/top.txt: %q", out)
	}

	for _, tc := range []struct{ dockerfile, want string }{
		{"FROM busybox\nCOPY --link --chown=nobody top.txt /x\n", "can't be resolved when used with --link"},
		{"FROM busybox\nCOPY --parents ../x /x/\n", "forbidden path outside the build context"},
		{"FROM busybox\nCOPY --parents src/./../../x /x/\n", "forbidden path outside the build context"},
	} {
		os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(tc.dockerfile), 0o644)
		if r := pocket(t, root, "build", ctx); r.Code != 1 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("%q: %s, want exit 1 and %q", tc.dockerfile, r, tc.want)
		}
	}
}
