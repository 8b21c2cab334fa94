// Package ociruntime is pocket's runc-compatible OCI runtime: it creates,
// starts, signals and deletes containers from OCI bundles for containerd,
// Kubernetes (through containerd), Podman and Docker, by translating the
// bundle's config.json into the ns.Config that pocket run's init builds.
package ociruntime
