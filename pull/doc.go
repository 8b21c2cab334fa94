// Package pull brings images into the store from registries and archives,
// pushes stored images to registries (with Docker's login credentials),
// and writes stored images back out as archives.
package pull
