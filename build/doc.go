// Package build turns a Dockerfile and its context into an image, step by
// step on pocket's own runtime, with a layer cache in the store.
package build
