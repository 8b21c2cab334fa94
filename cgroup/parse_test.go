package cgroup

import "testing"

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    int64
		wantErr string
	}{
		{"512m", 512 << 20, ""},
		{"1.5g", 3 << 29, ""},
		{"0", 0, ""},
		{"1e30", 0, "the value is too large (at most 8 EiB)"},
		{"99999999999999999999", 0, "the value is too large (at most 8 EiB)"},
		{"9999999999t", 0, "the value is too large (at most 8 EiB)"},
		{"-5m", 0, "invalid size: '-5m'"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSize(tc.in)
			if msg := errString(err); msg != tc.wantErr || got != tc.want {
				t.Errorf("ParseSize(%q) = %d, %q; want %d, %q", tc.in, got, msg, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseCPUs(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    float64
		wantErr string
	}{
		{"1.5", 1.5, ""},
		{"0.01", 0.01, ""},
		{"3/2", 1.5, ""},
		{"NaN", 0, "failed to parse NaN as a rational number"},
		{"Inf", 0, "failed to parse Inf as a rational number"},
		{"two", 0, "failed to parse two as a rational number"},
		{"0.0000000001", 0, "value is too precise"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCPUs(tc.in)
			if msg := errString(err); msg != tc.wantErr || got != tc.want {
				t.Errorf("ParseCPUs(%q) = %v, %q; want %v, %q", tc.in, got, msg, tc.want, tc.wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
