// Package ns is the container side of a start: running as "pocket init"
// inside fresh namespaces, it builds the root filesystem, drops privileges
// and execs the container's command, reporting any failure to its parent.
package ns
