package plan

import "testing"

func TestWorkdir(t *testing.T) {
	tests := []struct {
		flag, image, want string
		wantErr           bool
	}{
		{want: "/"},
		{image: "/app", want: "/app"},
		{image: "app", want: "/app"},
		{flag: "/tmp", image: "/app", want: "/tmp"},
		{flag: "/a/../b/", want: "/b"},
		{flag: "rel", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.flag+"|"+tt.image, func(t *testing.T) {
			p := &Plan{}
			var err error
			if tt.flag != "" {
				p.Workdir, err = workdir(tt.flag)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got := p.WorkingDir(tt.image)
			if got != tt.want {
				t.Errorf("workdir = %q, want %q", got, tt.want)
			}
		})
	}
}
