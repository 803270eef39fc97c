package main

import (
	"net/url"
	"os"
	"strings"
)

// commandLine returns the invocation for the results, with values that may
// carry secrets replaced by REDACTED: --set assignments to keys, tokens or
// headers, and the query and user information of URLs.
func commandLine(command string, args []string) string {
	out := []string{"infermark", command}
	for i, arg := range args {
		if i > 0 && args[i-1] == "--set" {
			arg = redactAssignment(arg)
		} else if value, ok := strings.CutPrefix(arg, "--set="); ok {
			arg = "--set=" + redactAssignment(value)
		}
		out = append(out, redactArgURL(arg))
	}
	return strings.Join(out, " ")
}

func redactAssignment(assignment string) string {
	key, _, ok := strings.Cut(assignment, "=")
	lower := strings.ToLower(key)
	if ok && (strings.Contains(lower, "key") || strings.Contains(lower, "token") || strings.Contains(lower, "header")) {
		return key + "=REDACTED"
	}
	return assignment
}

// redactArgURL strips the query and user information of an argument that
// is a URL, or that ends in one after "=".
func redactArgURL(arg string) string {
	prefix, raw := "", arg
	if i := strings.Index(arg, "=http"); i >= 0 {
		prefix, raw = arg[:i+1], arg[i+1:]
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.RawQuery == "" && u.User == nil) {
		return arg
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	return prefix + u.String()
}

// hostName returns the machine's name, or "" when it cannot be read.
func hostName() string {
	name, err := os.Hostname()
	if err != nil {
		return ""
	}
	return name
}
