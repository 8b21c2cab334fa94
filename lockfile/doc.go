// Package lockfile reads and writes pocket.lock, which pins image tags to
// digests so that a CI job gets the same bytes on every run.
//
// The file is JSON, keyed by the canonical name Docker would print
// (docker.io/library/alpine:3.20 for "alpine:3.20"):
//
//	{
//	  "lockfileVersion": 1,
//	  "images": {
//	    "docker.io/library/alpine:3.20": {
//	      "digest": "sha256:...",
//	      "platforms": {"linux/amd64": "sha256:...", "linux/arm64/v8": "sha256:..."}
//	    }
//	  }
//	}
//
// digest is what the tag pointed at when it was locked (an index or a
// single manifest); platforms lists each image of an index by platform.
package lockfile
