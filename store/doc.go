// Package store keeps images, layers, containers and volumes on disk,
// content-addressed and safe for many pocket processes at once.
//
// Layout under the root directory:
//
//	blobs/sha256/<hex>        manifests and image configs, by digest
//	layers/<diffID hex>/diff  one unpacked layer tree (an overlay lowerdir)
//	layers/<diffID hex>/tar-split.json.gz  what it takes to rebuild the exact tar
//	images.json               the image index: names and digests to image IDs,
//	                          and the repositories holding each manifest's blobs
//	containers/<id>/          one directory a container (run owns its files)
//	volumes/<name>/_data      named and anonymous volumes
//	locks/                    flock files; tmp/ holds work in progress
//
// Every object is written under tmp/ and renamed into place only once it
// verifies, so a killed process leaves nothing a later command will use.
package store
