#!/usr/bin/env bash
# Serves notebooks/ with Jupyter Notebook on the project's own tslab kernel ("TypeScript
# (latent-bridge)"), found through JUPYTER_PATH: nothing is installed globally.
#   npm run jupyter                # http://127.0.0.1:8888/?token=…  (printed below)
#   npm run jupyter -- --port 9999 # extra flags go to Jupyter
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/tslab ] || { echo "jupyter.sh: run 'bash scripts/setup.sh' first (node_modules/tslab is missing)" >&2; exit 2; }
/usr/bin/python3 -c "import notebook" 2>/dev/null || { echo "jupyter.sh: Jupyter Notebook is missing: run 'bash scripts/setup.sh' (Debian: apt-get install jupyter-notebook)" >&2; exit 2; }
export JUPYTER_PATH="$PWD/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec /usr/bin/python3 -m notebook --no-browser --ip=127.0.0.1 --notebook-dir="$PWD/notebooks" \
  "${extra[@]}" "$@"
