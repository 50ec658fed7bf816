#!/usr/bin/env bash
# The main job: set up this machine and run the example pipeline twice (cold, then cached).
set -euo pipefail
UPDRAFT_EXTRAS=examples source "$(dirname "$0")/_venv.sh"
echo "== diabetes pipeline, first run"
updraft run examples/diabetes/workflow.py diabetes_xgboost_model
echo "== the same inputs again: served from the cache"
updraft run examples/diabetes/workflow.py diabetes_xgboost_model
echo "== recent executions"
updraft get executions --limit 5
