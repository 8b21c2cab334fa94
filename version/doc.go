// Package version says which pocket this is: its version, commit and
// build time, stamped by the Makefile or read from what Go records.
package version
