#!/usr/bin/env bash
# The Python for `pnpm bench:search`'s optuna-gp anchor: Optuna's GPSampler needs Optuna 3.6 or
# later and PyTorch 2, newer than Debian's python3-optuna (3.1) and python3-torch (1.13). This makes
# a virtual environment of Debian's /usr/bin/python3 under node_modules/.cache (ignored, removed
# with node_modules) that sees Debian's packages (numpy, SQLAlchemy, ... from python3-optuna) and
# installs Optuna 5.0, SciPy and a CPU-only PyTorch 2 from pip's configured index. For a local
# mirror, set pip's own variables, e.g. on a machine with one under /opt:
#   PIP_INDEX_URL=file:///opt/pypi/simple PIP_FIND_LINKS=/opt/wheels bash scripts/bench-search/setup-optuna-gp.sh
# A minute and about 1 GB (PyTorch). main.mjs finds the result by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=node_modules/.cache/hptune-optuna-gp
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
  echo "setup-optuna-gp: needs Debian's python3-optuna first: apt-get install -y python3-optuna python3-venv" >&2
  exit 1
fi
if ! "$venv/bin/python" -c 'import optuna, torch, scipy; from optuna.samplers import GPSampler' 2>/dev/null; then
  rm -rf "$venv"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'optuna==5.0.0' 'scipy>=1.9' 'torch>=2.1'
fi
"$venv/bin/python" -c 'import optuna, torch; print(f"optuna-gp: Optuna {optuna.__version__}, PyTorch {torch.__version__} in '"$venv"'")'
