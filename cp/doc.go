// Package cp copies files between a container's root and the host as
// tar streams, resolving every path inside a root and acting through
// descriptors, as `docker cp` does.
package cp
