package runner

import (
	"net/url"
	"regexp"
)

// urlPattern finds URLs inside error text; net/http errors quote the request
// URL, which may carry a key in its query string.
var urlPattern = regexp.MustCompile(`https?://[^\s"']+`)

// redactURL replaces query values and user info of URLs in s with
// "REDACTED", because keys are sometimes passed there (Gemini's "key=").
func redactURL(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			return raw
		}
		if u.User != nil {
			u.User = url.User("REDACTED")
		}
		q := u.Query()
		if len(q) == 0 {
			return u.String()
		}
		for k := range q {
			q.Set(k, "REDACTED")
		}
		u.RawQuery = q.Encode()
		return u.String()
	})
}
