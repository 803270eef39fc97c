package suite

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// mockParams are the query parameters of a "builtin:mock" base_url. The
// suite package does not import the mock, so these lists repeat
// mock.QueryParams and mock.FaultNames; a test of the command keeps them
// in step.
var mockParams = []string{"ttft", "itl", "fault", "fault_rate", "fault_after", "fault_delay", "retry_after", "max_concurrent"}

// mockFaults are the values of the "fault" parameter.
var mockFaults = []string{
	"429", "503", "500", "echo_headers", "refuse", "reset", "slow_first_byte", "stream_error",
	"cut", "stall", "endless", "long_line", "bad_utf8", "bad_json", "content_type", "html", "gzip",
}

// mockQuery checks the optional query of a "builtin:mock" base_url, such
// as "?ttft=50ms&itl=5ms&fault=429,stall&fault_rate=0.2", which sets the
// mock server's pacing and the faults it injects.
func (d *decoder) mockQuery(n *yaml.Node, baseURL, query string) bool {
	values, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		d.errorf(n, "invalid \"base_url\" %q: %s; write the pacing as %q", baseURL, err, MockBaseURL+"?ttft=50ms&itl=5ms")
		return false
	}

	ok := true
	for _, key := range slices.Sorted(maps.Keys(values)) {
		value := values[key][len(values[key])-1]
		var problem string
		switch {
		case !slices.Contains(mockParams, key):
			hint := "use one of " + strings.Join(mockParams, ", ")
			if s := suggest(key, mockParams); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			problem = fmt.Sprintf("unknown parameter %q; %s", key, hint)
		case len(values[key]) > 1:
			problem = fmt.Sprintf("parameter %q is given %d times; give it once", key, len(values[key]))
		default:
			problem = mockParamProblem(key, value)
		}
		if problem != "" {
			d.errorf(n, "invalid \"base_url\" %q: %s", baseURL, problem)
			ok = false
		}
	}
	return ok
}

// mockParamProblem returns what is wrong with one known parameter's
// value, or "".
func mockParamProblem(key, value string) string {
	switch key {
	case "fault":
		return mockFaultProblem(value)
	case "fault_rate":
		if rate, err := strconv.ParseFloat(value, 64); err != nil || !(rate > 0 && rate <= 1) {
			return fmt.Sprintf("fault_rate must be a number above 0 and at most 1, such as 0.2, got %q", value)
		}
	case "fault_after", "max_concurrent":
		if v, err := strconv.Atoi(value); err != nil || v < 0 {
			return fmt.Sprintf("%s must be an integer of 0 or more, got %q", key, value)
		}
	default:
		if v, err := time.ParseDuration(value); err != nil || v < 0 {
			return fmt.Sprintf("%s must be a duration of 0 or more such as \"20ms\", got %q", key, value)
		}
	}
	return ""
}

// mockFaultProblem checks a comma-separated list of fault names.
func mockFaultProblem(list string) string {
	names := strings.Split(list, ",")
	for _, name := range names {
		name = strings.TrimSpace(name)
		if slices.Contains(mockFaults, name) {
			continue
		}
		if s := suggest(name, mockFaults); s != "" {
			return fmt.Sprintf("unknown fault %q; did you mean %q?", name, s)
		}
		return fmt.Sprintf("unknown fault %q; use one of %s", name, strings.Join(mockFaults, ", "))
	}
	if len(names) > 1 && slices.Contains(names, "refuse") {
		return `fault "refuse" acts on connections and cannot be combined with other faults`
	}
	return ""
}
