// Package seccomp compiles Docker's seccomp profiles to classic BPF programs.
package seccomp

//go:generate go run ./internal/mksyscalls
