#!/usr/bin/env python3
"""Compare infermark's per-request timings with a packet capture's.

Usage: join.py WIRE.json REQUESTS.jsonl

WIRE.json is the output of the groundtruth tool's `analyze.py CAPTURE
--json`; REQUESTS.jsonl is the json sink's file of the same run. Records
are joined by their X-Request-Id (infermark's `request_id`), and only
measured requests count. For each concurrency it prints infermark minus
wire, in milliseconds, for TTFT and for every inter-token gap, gap by gap.
Percentiles interpolate linearly between ranks, rank = (n - 1) * p / 100.
"""
import json
import math
import sys


def percentile(values, p):
    values = sorted(values)
    rank = (len(values) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def describe(values):
    if not values:
        return "n=0"
    return "n=%d p50=%+.3f p99=%+.3f min=%+.3f max=%+.3f" % (
        len(values), percentile(values, 50), percentile(values, 99), min(values), max(values))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: join.py WIRE.json REQUESTS.jsonl")
    with open(sys.argv[1]) as f:
        wire = {r["x_request_id"]: r for r in json.load(f)["requests"] if r.get("x_request_id")}
    cells, unmatched, gap_count_differs = {}, 0, 0
    with open(sys.argv[2]) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("phase") != "measured" or rec.get("ttft_ms") is None:
                continue
            seen = wire.get(rec["request_id"])
            if seen is None or seen.get("ttft_ms") is None:
                unmatched += 1
                continue
            cell = cells.setdefault(rec["concurrency"], {"ttft": [], "gap": []})
            cell["ttft"].append(rec["ttft_ms"] - seen["ttft_ms"])
            gaps, wire_gaps = rec.get("itl_ms") or [], seen["gaps_ms"]
            if len(gaps) != len(wire_gaps):
                gap_count_differs += 1
                continue
            cell["gap"].extend(a - b for a, b in zip(gaps, wire_gaps))
    print("unmatched requests: %d, requests whose gap count differs: %d" % (unmatched, gap_count_differs))
    for concurrency in sorted(cells):
        print("concurrency %d" % concurrency)
        print("  TTFT, infermark - wire (ms): " + describe(cells[concurrency]["ttft"]))
        print("  gap, infermark - wire (ms):  " + describe(cells[concurrency]["gap"]))


if __name__ == "__main__":
    main()
