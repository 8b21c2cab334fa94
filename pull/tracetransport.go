package pull

import (
	"net/http"

	"pocket/trace"
)

// traceTransport marks each registry request and its answer in a trace
// (POCKET_TRACE): where a push's time goes between its phases.
type traceTransport struct{ inner http.RoundTripper }

func (t traceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	trace.Mark("request " + r.Method + " " + r.URL.Redacted())
	resp, err := t.inner.RoundTrip(r)
	if err != nil {
		trace.Mark("answer " + r.Method + " " + r.URL.Path + ": " + err.Error())
	} else {
		trace.Mark("answer " + r.Method + " " + r.URL.Path + ": " + resp.Status)
	}
	return resp, err
}

// traced is rt, traced when tracing is on.
func traced(rt http.RoundTripper) http.RoundTripper {
	if !trace.On {
		return rt
	}
	return traceTransport{rt}
}
