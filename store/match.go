package store

// Matchers for the names and digests the store accepts. They say what the
// regexps ^[a-f0-9]{64}$ and ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$ said, without
// compiling them when the package loads: every pocket process did that at
// start, the container's init included, and a 64-fold repetition is
// hundreds of allocations.

// hexRange matches lowercase hex of min to max characters.
type hexRange struct{ min, max int }

func (h hexRange) MatchString(s string) bool {
	if len(s) < h.min || len(s) > h.max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// nameChars matches an ASCII letter or digit followed by letters, digits,
// '_', '.' or '-', min characters at least.
type nameChars struct{ min int }

func (n nameChars) MatchString(s string) bool {
	if len(s) < n.min || len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '.' && c != '-') {
			return false
		}
	}
	return true
}
