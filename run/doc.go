// Package run turns stored images into running containers and manages
// their lifecycle: create, start, monitor, stop, remove.
package run
