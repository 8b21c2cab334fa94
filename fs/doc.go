// Package fs unpacks image layers into directories, treating every tar as
// hostile, and rebuilds the original tar from a directory when asked.
package fs
