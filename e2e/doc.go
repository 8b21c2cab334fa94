// Package e2e tests the pocket binary end to end: TestMain builds it from
// the module's root and the tests run it, as root, against a real registry
// on loopback that serves images built by internal/testimages under Docker
// Hub names (reached through --registry-mirror). The tests need Linux
// (namespaces, mounts, cgroups); each file says so with a build tag.
package e2e
