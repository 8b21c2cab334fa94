// Package run turns stored images into running containers and manages
// their lifecycle: create (from a plan.Plan), start, supervise, stop,
// remove; it also answers the read-only verbs (ps, inspect, logs, port).
package run
