#!/usr/bin/env bash
# Serves notebooks/ with Jupyter Notebook on the project's own tslab kernel ("TypeScript
# (latent-bridge)"), found through JUPYTER_PATH: nothing is installed globally.
#   npm run jupyter                       # http://127.0.0.1:8888/?token=…  (printed below)
#   npm run jupyter -- --quick            # kernels run the notebooks on small subsets (LATENT_BRIDGE_QUICK=1)
#   npm run jupyter -- --update-figures   # full mode, writing the committed figures/ (as `npm run figures`)
#   npm run jupyter -- --port=9999 --notebook-dir=build/notebooks   # any other flag goes to Jupyter
# Figures and tables that notebooks save go to build/figures/ (build/quick/figures/ with --quick),
# which git ignores, so an interactive run never touches the committed figures/ unless you pass
# --update-figures; LATENT_BRIDGE_FIGURES_DIR, if set, wins over all three. Our defaults
# (--no-browser --ip=127.0.0.1 --notebook-dir=notebooks) give way to yours; a relative
# --notebook-dir is taken from the directory you ran npm in.
set -euo pipefail
caller_dir="${INIT_CWD:-$PWD}" # npm runs scripts from the package root; INIT_CWD is where you typed the command
cd "$(dirname "$0")/.."
repo="$PWD"

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
absolute() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$caller_dir" "$1" ;; esac; }

quick=0
[ "${LATENT_BRIDGE_QUICK:-}" = 1 ] && quick=1
update=0
notebook_dir="$repo/notebooks"
own_ip=1
own_browser=1
pass=()
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --update-figures) update=1 ;;
    -h|--help) usage; echo; exec /usr/bin/python3 -m notebook --help ;;
    --notebook-dir=*|--NotebookApp.notebook_dir=*) notebook_dir="$(absolute "${1#*=}")" ;;
    --notebook-dir|--NotebookApp.notebook_dir)
      (($# >= 2)) || { echo "jupyter.sh: $1 needs a directory" >&2; exit 2; }
      notebook_dir="$(absolute "$2")"; shift ;;
    --ip|--ip=*|--NotebookApp.ip|--NotebookApp.ip=*) own_ip=0; pass+=("$1") ;;
    --browser|--browser=*|--NotebookApp.browser=*|--NotebookApp.open_browser=*) own_browser=0; pass+=("$1") ;;
    *) pass+=("$1") ;;
  esac
  shift
done

[ -d node_modules/tslab ] || { echo "jupyter.sh: run 'bash scripts/setup.sh' first (node_modules/tslab is missing)" >&2; exit 2; }
/usr/bin/python3 -c "import notebook" 2>/dev/null || { echo "jupyter.sh: Jupyter Notebook is missing: run 'bash scripts/setup.sh' (Debian: apt-get install jupyter-notebook)" >&2; exit 2; }
[ -d "$notebook_dir" ] || { echo "jupyter.sh: --notebook-dir $notebook_dir is not a directory" >&2; exit 2; }
if ((quick && update)); then
  echo "jupyter.sh: --update-figures writes the committed full-mode results; it cannot be combined with quick mode" >&2
  exit 2
fi

export JUPYTER_PATH="$repo/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export LATENT_BRIDGE_QUICK=$quick
((update)) && export LATENT_BRIDGE_FIGURES_DIR="$repo/figures"
if [ -n "${LATENT_BRIDGE_FIGURES_DIR:-}" ]; then figures="$LATENT_BRIDGE_FIGURES_DIR"
elif ((quick)); then figures="$repo/build/quick/figures"
else figures="$repo/build/figures"; fi
echo "jupyter.sh: $( ((quick)) && echo "quick mode (small subsets)" || echo "full mode"); notebooks save figures and tables to $figures" >&2

# Compile src/ for the kernels now (once per change of src/; scripts/tslab-kernel.mjs), not in the first kernel.
[ "${LATENT_BRIDGE_TSLAB_PREBUILT:-}" = 0 ] || node scripts/tslab-kernel.mjs --prebuild >/dev/null ||
  echo "jupyter.sh: could not prebuild src/ for the kernels; each kernel compiles it itself" >&2

defaults=(--notebook-dir="$notebook_dir")
((own_ip)) && defaults+=(--ip=127.0.0.1)
((own_browser)) && defaults+=(--no-browser)
[ "$(id -u)" = 0 ] && defaults+=(--allow-root)
exec /usr/bin/python3 -m notebook "${defaults[@]}" "${pass[@]}"
