#!/usr/bin/env bash
# Configures the git clean filter that keeps notebooks output-free in git (.gitattributes assigns it
# to *.ipynb): `git add`, `git diff` and `git status` see a notebook through
# scripts/strip_notebook_outputs.py, so outputs Jupyter saved into notebooks/*.ipynb are never
# committed, and a notebook that only gained outputs shows as unmodified. The working file keeps its
# outputs until you clear them or check the file out again (git checkout -- notebooks/x.ipynb).
# Run by scripts/setup.sh; idempotent; a no-op outside a git checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "install-git-filters: not a git checkout; nothing to configure"
  exit 0
fi
# Git runs filters from the top of the work tree, so the relative path works in every worktree.
git config filter.notebook-outputs.clean "/usr/bin/python3 scripts/strip_notebook_outputs.py"
# A required filter needs both halves: checking out (checkout, merge, rebase) passes the file through.
git config filter.notebook-outputs.smudge cat
# Fail `git add` rather than commit a notebook the filter could not read.
git config filter.notebook-outputs.required true
