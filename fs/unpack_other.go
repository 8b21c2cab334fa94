//go:build !linux

package fs

import (
	"archive/tar"
	"io"
)

func (u *unpacker) file(*tar.Header, string, io.Reader) error { return ErrUnsupported }
func (u *unpacker) dir(*tar.Header, string, string) error     { return ErrUnsupported }
func (u *unpacker) symlink(*tar.Header, string) error         { return ErrUnsupported }
func (u *unpacker) hardlink(*tar.Header, string) error        { return ErrUnsupported }
func (u *unpacker) special(*tar.Header, string) error         { return ErrUnsupported }
func (u *unpacker) whiteout(string, string) error             { return ErrUnsupported }
func (u *unpacker) opaque(string) error                       { return ErrUnsupported }
func (u *unpacker) finish() error                             { return nil }
func (u *unpacker) closeReuse()                               {}
func isRealRoot() bool                                        { return false }
