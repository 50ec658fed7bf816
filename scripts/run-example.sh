#!/usr/bin/env bash
# The main job: set up this machine, run the example pipeline here, then start the server,
# register the example, run it there, and leave the server running (Ctrl-C stops it).
set -euo pipefail
UPDRAFT_EXTRAS=examples source "$(dirname "$0")/_venv.sh"
port=${UPDRAFT_PORT:-8080}
export UPDRAFT_ENDPOINT="http://127.0.0.1:${port}"

echo "== the diabetes pipeline, here (a second run with the same inputs comes from the cache)"
updraft run examples/diabetes/workflow.py diabetes_xgboost_model
updraft run examples/diabetes/workflow.py diabetes_xgboost_model

echo "== the control plane on 127.0.0.1:${port}"
updraft serve --port "$port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if updraft project list >/dev/null 2>&1; then break; fi
  kill -0 "$server" 2>/dev/null || { echo "updraft serve did not start" >&2; exit 1; }
  sleep 0.2
done

echo "== register the example and run it on the server"
updraft register examples/diabetes/workflow.py --project default --domain development
updraft launch diabetes_xgboost_model --project default --domain development --wait
echo "== and the composition example: a subworkflow, a launch plan, a map, a dynamic task"
updraft register examples/composition/workflow.py --project default --domain development
updraft launch outer --project default --domain development --wait --a 3
updraft launch squares --project default --domain development --wait --xs "[1, 2, 3, 4]"
updraft launch fan_in --project default --domain development --wait --n 6
updraft get executions --project default --domain development --limit 5

echo
echo "The server is running: the console at ${UPDRAFT_ENDPOINT}/, the API docs at ${UPDRAFT_ENDPOINT}/api/v1/docs"
echo "(updraft get executions, updraft launch ... --wait, Ctrl-C to stop)"
wait "$server"
