package run

import (
	"bytes"
	"encoding/json"
)

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(append([]byte{}, p...)); return len(p), nil }

func splitLines(b []byte) [][]byte {
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
