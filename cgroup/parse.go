package cgroup

import (
	"errors"
	"fmt"
	"math"
	"math/big"

	units "github.com/docker/go-units"
)

// ParseSize reads a -m or --memory-swap size ("512m", "1g") as Docker does.
// A size past what 64 bits hold is refused: go-units converts it to an
// int64 that wraps negative (amd64) or saturates (arm64), which read as
// "must not be negative" or as no limit at all.
func ParseSize(v string) (int64, error) {
	n, err := units.RAMInBytes(v)
	if err != nil {
		return 0, err
	}
	if n < 0 || n == math.MaxInt64 {
		return 0, errors.New("the value is too large (at most 8 EiB)")
	}
	return n, nil
}

// ParseCPUs reads --cpus as Docker's NanoCPUs does: a decimal or rational
// number with at most nine decimals. NaN and Inf are no numbers of CPUs.
func ParseCPUs(v string) (float64, error) {
	r, ok := new(big.Rat).SetString(v)
	if !ok {
		return 0, fmt.Errorf("failed to parse %v as a rational number", v)
	}
	if !new(big.Rat).Mul(r, big.NewRat(1e9, 1)).IsInt() {
		return 0, errors.New("value is too precise")
	}
	f, _ := r.Float64()
	return f, nil
}
