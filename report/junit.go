package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// JUnit XML elements, as CI systems (Jenkins, GitLab, GitHub test
// reporters) read them: one <testsuite> per assertion and one <testcase>
// per cell it applied to.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes outcomes as JUnit XML for CI test reports. A failed
// assertion is a <failure> (type "threshold", or "no data" when a figure
// had no samples); an expression that could not be evaluated is an
// <error>. A failed "warn" assertion is a passing test case whose
// <system-out> starts with "WARN", because JUnit has no warning result and
// a warning must not fail the job. elapsed is the run's duration.
func WriteJUnit(w io.Writer, suiteName string, outcomes []Outcome, elapsed time.Duration) error {
	doc := junitSuites{Name: "infermark " + suiteName, Time: seconds(elapsed)}
	index := map[string]int{}
	for _, o := range outcomes {
		i, ok := index[o.Name]
		if !ok {
			i = len(doc.Suites)
			index[o.Name] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: suiteName + ": " + o.Name, Time: "0"})
		}
		s := &doc.Suites[i]
		c := junitCase{Name: o.CellID, ClassName: "infermark." + suiteName + "." + o.Name, Time: "0"}
		detail := o.Expr + "\n" + strings.Join(o.Values, "\n")
		switch {
		case o.Passed:
		case o.Warning():
			c.SystemOut = "WARN " + o.Expr + ": " + o.Detail()
		case o.NoData:
			c.Failure = &junitProblem{Message: o.Error, Type: "no data", Text: detail}
			s.Failures++
		case o.Error != "":
			c.Error = &junitProblem{Message: o.Error, Type: "error", Text: detail}
			s.Errors++
		default:
			c.Failure = &junitProblem{Message: failureMessage(o), Type: "threshold", Text: detail}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func failureMessage(o Outcome) string {
	msg := fmt.Sprintf("%s is false", o.Expr)
	if len(o.Values) > 0 {
		msg += ": " + strings.Join(o.Values, ", ")
	}
	if o.Aborted {
		msg += "; this failure stopped the run"
	}
	return msg
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}
