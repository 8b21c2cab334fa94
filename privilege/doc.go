// Package privilege answers, in one place for every caller, whether pocket
// holds real root on the host or runs rootless in a user namespace.
package privilege
