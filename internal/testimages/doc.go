// Package testimages builds pocket's test images in memory with
// go-containerregistry, from sources and host packages (never from
// committed binaries): hello-world, busybox, a many-layered image, a
// multi-platform index, hostile images and a big image for benchmarks.
package testimages
