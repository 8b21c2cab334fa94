package doctor

// Status is a check's verdict.
type Status string

const (
	OK   Status = "ok"
	Warn Status = "warn" // pocket works, with less (a feature, an isolation, a speed)
	Fail Status = "fail" // `pocket run` cannot work until it is fixed
)

// Result is one check's line.
type Result struct {
	Check   string `json:"check"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"` // the exact command that fixes it
}

func ok(check, msg string) Result { return Result{Check: check, Status: OK, Message: msg} }

func warn(check, msg, fix string) Result {
	return Result{Check: check, Status: Warn, Message: msg, Fix: fix}
}

func fail(check, msg, fix string) Result {
	return Result{Check: check, Status: Fail, Message: msg, Fix: fix}
}

// Failed reports whether any result is a failure: run cannot work.
func Failed(rs []Result) bool {
	for _, r := range rs {
		if r.Status == Fail {
			return true
		}
	}
	return false
}
