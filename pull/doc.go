// Package pull brings images into the store from registries and archives,
// and writes stored images back out as archives.
package pull
