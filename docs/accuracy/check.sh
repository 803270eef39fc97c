#!/usr/bin/env bash
# Run a suite under a packet capture and compare infermark's timings with
# the wire's.
#
# Usage: check.sh GROUNDTRUTH_DIR PORT SUITE RESULTS_DIR [RUN FLAGS...]
#
# GROUNDTRUTH_DIR holds the groundtruth tool (capture.sh, analyze.py). PORT
# is the server's port on 127.0.0.1, SUITE a suite whose json sink writes
# under RESULTS_DIR; further arguments go to "infermark run", such as
# --set load.concurrency=[1000]. The capture needs root or CAP_NET_RAW.
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: check.sh GROUNDTRUTH_DIR PORT SUITE RESULTS_DIR [RUN FLAGS...]" >&2
  exit 2
fi
gt=$1 port=$2 suite=$3 results=$4
shift 4
if [ ! -x "$gt/capture.sh" ] || [ ! -f "$gt/analyze.py" ]; then
  echo "check.sh: no capture.sh and analyze.py in $gt; give the groundtruth tool's folder" >&2
  exit 2
fi
if ! command -v infermark > /dev/null; then
  echo "check.sh: infermark is not on PATH; run go install ./cmd/infermark and add \$(go env GOPATH)/bin to PATH" >&2
  exit 2
fi
if [ ! -f "$suite" ]; then
  echo "check.sh: suite $suite not found" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)

"$gt/capture.sh" "$port" 300 "$work/run.pcap" 2> "$work/capture.log" &
capture=$!
for _ in $(seq 40); do
  grep -q capturing "$work/capture.log" && break
  sleep 0.5
done
/usr/bin/time -f "infermark: wall %e s, user %U s, system %S s, max RSS %M KiB" \
  infermark run --no-progress "$@" "$suite"
kill -TERM "$capture"
wait "$capture" || { echo "capture failed: $(cat "$work/capture.log")" >&2; exit 1; }

python3 "$gt/analyze.py" "$work/run.pcap" --json > "$work/wire.json"
latest=$(ls -td "$results"/*/ | head -1)
python3 "$here/join.py" "$work/wire.json" "$latest/requests.jsonl"
echo "capture and analysis kept in $work"
