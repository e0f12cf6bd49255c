#!/usr/bin/python3
"""Strips a Jupyter notebook's outputs: reads a notebook on stdin, writes it to stdout with every
code cell's outputs and execution count removed and the per-run cell metadata dropped, in the
format the repository stores notebooks in (nbformat's: 1-space indent, sorted keys, UTF-8).

It is the git clean filter `notebook-outputs` (.gitattributes: *.ipynb; bash scripts/setup.sh
configures it through scripts/install-git-filters.sh), so whatever Jupyter saves into notebooks/
(outputs, plotly's 4.8 MB bundle), git sees and commits the notebook without outputs; a notebook
saved after a run strips to exactly the committed file.

    /usr/bin/python3 scripts/strip_notebook_outputs.py < executed.ipynb > clean.ipynb

Input that is not a notebook is an error (exit 1, message on stderr): git then refuses the file
rather than committing it unfiltered (the filter is configured as required).
"""
import sys

# Cell metadata a front end or an executor writes on each run (not part of the notebook's content).
RUN_METADATA = ("collapsed", "scrolled", "execution", "ExecuteTime", "trusted")


def strip(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
    return nb


def main():
    try:
        import nbformat
    except ImportError:
        print("strip_notebook_outputs: needs nbformat for /usr/bin/python3 (bash scripts/setup.sh; Debian: apt-get install python3-nbformat)", file=sys.stderr)
        return 1
    text = sys.stdin.buffer.read().decode("utf-8")
    try:
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    except Exception as e:
        print(f"strip_notebook_outputs: the input is not a Jupyter notebook ({type(e).__name__}: {e})", file=sys.stderr)
        return 1
    sys.stdout.buffer.write((nbformat.writes(strip(nb)) + "\n").encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
