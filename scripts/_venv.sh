# Sourced by the other scripts: make .venv with uv and install updraft with the given extras.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"
fi
# Bytecode is compiled at install time, so that the first import of pandas and friends in
# each worker does not compile them from source.
.venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python -e ".[${UPDRAFT_EXTRAS:-examples}]"
export PATH="$root/.venv/bin:$PATH"
