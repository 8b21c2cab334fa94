// Package reference parses image references exactly as Docker does.
//
// It is the one place that knows Docker's reference grammar, which hosts
// are Docker Hub and how Docker spells a name in full (canonical) and
// short (familiar). Parsed references are go-containerregistry
// name.Reference values; canonical and familiar forms are strings, as the
// store keeps and the CLI prints them.
package reference
