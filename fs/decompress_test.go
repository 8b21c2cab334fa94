package fs

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestDecompress(t *testing.T) {
	plain := mkTar(t, file("a", "hello"), dir("d/"))
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(plain)
	gw.Close()
	zw, err := zstd.NewWriter(&zs)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(plain)
	zw.Close()

	tests := []struct {
		name string
		in   []byte
	}{
		{"plain", plain},
		{"gzip", gz.Bytes()},
		{"zstd", zs.Bytes()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := Decompress(bytes.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			if err := rc.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if !bytes.Equal(got, plain) {
				t.Errorf("got %d bytes, want the %d-byte tar", len(got), len(plain))
			}
		})
	}

	t.Run("corrupt gzip", func(t *testing.T) {
		rc, err := Decompress(bytes.NewReader(gz.Bytes()[:len(gz.Bytes())/2]))
		if err == nil {
			_, err = io.ReadAll(rc)
		}
		if err == nil {
			t.Error("truncated gzip decompressed without error")
		}
	})
}
