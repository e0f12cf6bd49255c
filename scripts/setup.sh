#!/usr/bin/env bash
# Installs what latent-bridge needs on a fresh Debian 12 machine, idempotently (a second run
# installs nothing and takes a second):
#   - Debian packages: Jupyter Notebook + nbclient/nbconvert (to run the notebooks), Chromium
#     (static PNG/SVG export of figures), numpy with OpenBLAS (interop test, benchmarks),
#     data sets packaged by Debian (Fashion-MNIST, WordNet);
#   - npm packages, exactly as package-lock.json pins them (npm ci), and the build in dist/;
#   - in a git checkout, the clean filter that strips notebook outputs (scripts/install-git-filters.sh).
# Options: --no-apt  skip the Debian packages (then install them yourself; the list is printed).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  jupyter-notebook jupyter-client jupyter-nbconvert python3-nbconvert python3-nbclient python3-nbformat
  chromium fonts-dejavu-core
  python3-numpy libopenblas0-pthread
  dataset-fashion-mnist wordnet-base
)

want_apt=1
for arg in "$@"; do
  case "$arg" in
    --no-apt) want_apt=0 ;;
    *) echo "setup.sh: unknown option $arg (known: --no-apt)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if ((want_apt)) && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif ((want_apt)) && command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "setup: installing Debian packages with sudo: ${missing[*]}"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    cat >&2 <<MSG
setup: these Debian packages are missing and cannot be installed from here (need root or
passwordless sudo, and apt-get):
    ${missing[*]}
Install them with:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}
On another system: Jupyter Notebook with nbclient (pip install notebook nbclient), a Chromium or
Chrome binary (set CHROMIUM_PATH to it), and numpy for the benchmarks.
MSG
    ((want_apt)) && exit 1
  fi
fi

# Debian package descriptions and their translations (a data set, fetched into the data cache
# with apt's own client, without touching this machine's apt lists).
if command -v apt-get >/dev/null 2>&1; then
  bash scripts/fetch-apt-translations.sh >/dev/null || echo "setup: warning: could not fetch apt translation indexes; the Debian-descriptions data set will be unavailable" >&2
fi

# npm ci only when package-lock.json changed since the last successful install.
stamp=node_modules/.latent-bridge-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
# dist/ (what bin/latent-bridge.mjs and the package run; npm ci's prepare builds it): rebuilt when a
# source is newer, e.g. after a git pull that left package-lock.json alone.
if [ ! -f dist/cli.js ] || [ ! -f dist/types/index.d.ts ] || [ -n "$(find src -name '*.ts' -newer dist/cli.js -print -quit)" ]; then
  echo "setup: npm run build"
  npm run build --silent
fi
# Notebooks stay output-free in git whatever Jupyter saves into them.
bash scripts/install-git-filters.sh >/dev/null

echo "setup: ready (node $(node --version), Jupyter Notebook $(/usr/bin/python3 -m notebook --version 2>/dev/null || echo 'not found'))"
