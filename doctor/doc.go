// Package doctor checks the host for what pocket needs, rootful and
// rootless, and says for each check how to fix it.
//
// Gather reads the host once into a Host; every check is a pure function
// of a Host, so each is tested in both states without touching the
// machine.
package doctor
