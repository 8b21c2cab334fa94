package run

import "testing"

func TestParseTail(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    int
		wantErr bool
	}{
		{in: "all", want: -1},
		{in: "0", want: 0},
		{in: "12", want: 12},
		{in: "-1", wantErr: true},
		{in: "", wantErr: true},
		{in: "x", wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTail(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseTail(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("ParseTail(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}
