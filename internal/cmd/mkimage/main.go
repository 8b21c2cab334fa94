// Command mkimage writes one of pocket's test images (built by
// internal/testimages) as a `docker save` archive or an OCI layout, for the
// offline demo and for trying pocket by hand:
//
//	go run ./internal/cmd/mkimage -o hello.tar hello
//	go run ./internal/cmd/mkimage -oci ./busybox-layout -tag mybox:1 busybox
package main

import (
	"flag"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/internal/testimages"
)

var builders = map[string]func() (v1.Image, error){
	"hello":   testimages.Hello,
	"busybox": testimages.Busybox,
	"layered": testimages.Layered,
}

func main() {
	out := flag.String("o", "", "write a docker save archive to this file")
	oci := flag.String("oci", "", "write an OCI image layout to this directory")
	tag := flag.String("tag", "", "name to record (default IMAGE:latest)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: mkimage (-o FILE | -oci DIR) [-tag NAME] hello|busybox|layered|multiarch")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || (*out == "") == (*oci == "") {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(flag.Arg(0), *out, *oci, *tag); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func write(name, out, oci, tag string) error {
	if tag == "" {
		tag = name + ":latest"
	}
	if name == "multiarch" {
		if oci == "" {
			return fmt.Errorf("multiarch is an index: write it with -oci DIR")
		}
		idx, err := testimages.Index()
		if err != nil {
			return err
		}
		return testimages.WriteOCILayoutIndex(oci, idx, tag)
	}
	build, ok := builders[name]
	if !ok {
		return fmt.Errorf("unknown image %q (hint: hello, busybox, layered or multiarch)", name)
	}
	img, err := build()
	if err != nil {
		return err
	}
	if oci != "" {
		return testimages.WriteOCILayout(oci, img, tag)
	}
	return testimages.WriteDockerArchive(out, map[string]v1.Image{tag: img})
}
