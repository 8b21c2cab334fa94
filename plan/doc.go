// Package plan turns `pocket run`'s command line into one typed, checked
// plan of a container, parsing each flag's grammar once.
package plan
