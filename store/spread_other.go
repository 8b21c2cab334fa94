//go:build !linux

package store

func spread(string) {}
