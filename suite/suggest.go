package suite

import "strings"

// suggest returns the candidate nearest to got by edit distance, or "" when
// none is close enough to be a likely typo. Close enough is at most two
// edits, or a third of got's length for long words. The first of equally
// near candidates wins, so the result is stable.
func suggest(got string, candidates []string) string {
	limit := max(2, len([]rune(got))/3)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		dist := editDistance(strings.ToLower(got), strings.ToLower(c))
		if dist < bestDist && dist < len([]rune(c)) {
			best, bestDist = c, dist
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// the number of rune insertions, deletions, substitutions and swaps of two
// neighbouring runes that turn a into b. A swap counts as one edit because
// it is the most common typing mistake ("endpionts").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// prev2, prev and cur are rows i-2, i-1 and i of the usual table.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}

	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Suggest returns the candidate nearest to got by edit distance, or ""
// when none is close enough to be a likely typo. The command line uses it
// for command and flag values, so they get the same hints as suite keys.
func Suggest(got string, candidates []string) string { return suggest(got, candidates) }
