// Package cgroup places containers in cgroups and applies their resource
// limits, on cgroup v1, hybrid and unified (v2) hosts alike.
package cgroup
