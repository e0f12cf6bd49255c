#!/usr/bin/env bash
# Fetches Debian's package index files — Packages (Section, Description-md5) and the translated
# descriptions Translation-{en,es,fr,ja} — into the latent-bridge data cache, for
# src/data/text/debianDescriptions.ts. It does NOT touch the machine's own apt state: apt-get update
# runs with its own lists/cache folders and config under the cache, no locking, and none of the
# machine's APT::Update hooks. Then every index it got is decompressed (lz4/xz/gz/bz2, whatever apt
# kept) with `apt-helper cat-file` into plain text.
#
#   bash scripts/fetch-apt-translations.sh [--force]
#
# Output:  ${LATENT_BRIDGE_CACHE_DIR:-data/cache}/apt/
#            lists/   apt's own files (compressed, as apt keeps them)
#            text/    <list file name without compression extension>, plain text
#            text/.complete   stamp: the script finished; a later run does nothing unless --force
# Idempotent (a second run prints "up to date" and exits), atomic (each text file is written to a
# temporary name, then renamed). Needs apt-get (Debian/Ubuntu) and network access to the archive.
# Languages can be changed with LATENT_BRIDGE_APT_LANGUAGES (default en,es,fr,ja).
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *) echo "fetch-apt-translations: unknown option $arg (known: --force)" >&2; exit 2 ;;
  esac
done

cache="${LATENT_BRIDGE_CACHE_DIR:-data/cache}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
dir="$cache/apt"
langs="${LATENT_BRIDGE_APT_LANGUAGES:-en,es,fr,ja}"
text="$dir/text"

if [ "$force" = 0 ] && [ -f "$text/.complete" ] && [ "$(cat "$text/.complete")" = "languages=$langs" ]; then
  echo "fetch-apt-translations: up to date in $text ($(ls "$text" | wc -l) files); --force to refetch"
  exit 0
fi

for tool in apt-get /usr/lib/apt/apt-helper; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch-apt-translations: $tool not found (this needs Debian's apt)" >&2; exit 1; }
done

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$text"
# A config file read after the machine's apt.conf.d, so it can #clear what those set: Docker images
# set Acquire::Languages "none" (a list, which a plain -o cannot replace) and APT::Update hooks
# (PackageKit, AppStream refresh) that would act on the machine's state.
conf="$dir/apt.conf"
{
  echo '#clear Acquire::Languages;'
  echo -n 'Acquire::Languages {'
  IFS=',' read -r -a lang_list <<<"$langs"
  for l in "${lang_list[@]}"; do echo -n " \"$l\";"; done
  echo ' };'
  echo '#clear APT::Update::Pre-Invoke;'
  echo '#clear APT::Update::Post-Invoke;'
  echo '#clear APT::Update::Post-Invoke-Success;'
  echo "Dir::State::Lists \"$dir/lists/\";"
  echo "Dir::Cache \"$dir/cache/\";"
  echo 'Dir::Cache::pkgcache "";'
  echo 'Dir::Cache::srcpkgcache "";'
  echo 'Debug::NoLocking "1";'
} >"$conf.tmp"
mv "$conf.tmp" "$conf"

start=$(date +%s)
echo "fetch-apt-translations: apt-get update (languages $langs) into $dir/lists"
# -c is read after /etc/apt/apt.conf.d, so the settings above win. The machine's sources are used.
if ! apt-get -c "$conf" -q update >"$dir/update.log" 2>&1; then
  cat "$dir/update.log" >&2
  echo "fetch-apt-translations: apt-get update failed (log: $dir/update.log)" >&2
  exit 1
fi
grep -E '^(W|E):' "$dir/update.log" >&2 || true
echo "fetch-apt-translations: apt-get update took $(( $(date +%s) - start )) s"

n_new=0
n_kept=0
shopt -s nullglob
for f in "$dir"/lists/*_Packages* "$dir"/lists/*_i18n_Translation-*; do
  base="$(basename "$f")"
  case "$base" in *.diff_Index|*.tmp) continue ;; esac
  out="$text/${base%.*}"
  case "$base" in *.lz4|*.xz|*.gz|*.bz2|*.zst|*.lzma) ;; *) out="$text/$base" ;; esac
  if [ -f "$out" ] && [ "$out" -nt "$f" ]; then
    n_kept=$((n_kept + 1))
    continue
  fi
  /usr/lib/apt/apt-helper cat-file "$f" >"$out.tmp"
  mv "$out.tmp" "$out"
  n_new=$((n_new + 1))
  printf '  %-90s %8s lines\n' "$(basename "$out")" "$(wc -l <"$out")"
done

for l in "${lang_list[@]}"; do
  if ! ls "$text"/*_Translation-"$l" >/dev/null 2>&1; then
    echo "fetch-apt-translations: warning: no Translation-$l arrived (the archive may not carry it)" >&2
  fi
done
if ! ls "$text"/*_Packages >/dev/null 2>&1; then
  echo "fetch-apt-translations: no Packages file arrived; check the machine's apt sources" >&2
  exit 1
fi
echo "languages=$langs" >"$text/.complete.tmp"
mv "$text/.complete.tmp" "$text/.complete"
echo "fetch-apt-translations: $n_new files decompressed, $n_kept already present, into $text ($(du -sh "$text" | cut -f1)); total $(( $(date +%s) - start )) s"
