package filter

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Args is a parsed set of filters: each key with the values given for it.
type Args map[string][]string

// Parse turns "key=value" arguments into Args, refusing any key not in
// keys, as the Docker daemon does for each listing.
func Parse(args []string, keys ...string) (Args, error) {
	f := Args{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("%q: %w", a, ErrBadFormat)
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("%w '%s'", ErrInvalidKey, k)
		}
		f[k] = append(f[k], strings.TrimSpace(v))
	}
	return f, nil
}

// Has says whether the key was given.
func (f Args) Has(key string) bool { return len(f[key]) > 0 }

// Any is true when the key was not given, or when ok holds for one of its
// values (a key's values are ORed).
func (f Args) Any(key string, ok func(v string) bool) bool {
	if !f.Has(key) {
		return true
	}
	return slices.ContainsFunc(f[key], ok)
}

// Exact matches a key's values against s.
func (f Args) Exact(key, s string) bool {
	return f.Any(key, func(v string) bool { return v == s })
}

// Regexp matches a key's values as regular expressions against s, as
// Docker's name filter does (an invalid expression matches literally).
func (f Args) Regexp(key, s string) bool {
	return f.Any(key, func(v string) bool { return RegexpMatch(v, s) })
}

// RegexpMatch is one value of a regular-expression key against s.
func RegexpMatch(pattern, s string) bool {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return strings.Contains(s, pattern)
	}
	return re.MatchString(s)
}

// Labels matches "label=KEY" (present) and "label=KEY=VALUE" values
// against labels. Unlike other keys', its values are ANDed: every one
// must match, as Docker's daemon matches them (MatchKVList).
func (f Args) Labels(key string, labels map[string]string) bool {
	for _, v := range f[key] {
		k, want, withValue := strings.Cut(v, "=")
		got, ok := labels[k]
		if !ok || withValue && got != want {
			return false
		}
	}
	return true
}

// Bool reads a boolean key (dangling=true); it is an error for a value
// not to be one, as in Docker.
func (f Args) Bool(key string) (value, given bool, err error) {
	vs := f[key]
	if len(vs) == 0 {
		return false, false, nil
	}
	for _, v := range vs {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, true, fmt.Errorf("invalid filter '%s=%s'", key, v)
		}
		value = value || b
	}
	return value, true, nil
}

// Keys lists the keys given, sorted.
func (f Args) Keys() []string { return slices.Sorted(maps.Keys(f)) }
