"""Build each Day's ``.ipynb`` from its Jupytext percent source: no outputs, stable cell ids, the SDK 2.x kernel.

python -m tools.plan.build           # write the notebooks
python -m tools.plan.build --check   # exit 1 naming each notebook that is not its source's build
"""

from __future__ import annotations

import argparse
import sys

import jupytext
import nbformat

from study_env.plan import DAYS, KERNEL_DISPLAY_NAME, KERNEL_NAME, Day


def build(day: Day) -> nbformat.NotebookNode:
    notebook = jupytext.read(day.source, fmt="py:percent")
    notebook.metadata = {
        "kernelspec": {"display_name": KERNEL_DISPLAY_NAME, "language": "python", "name": KERNEL_NAME},
        "language_info": {"name": "python"},
    }
    for index, cell in enumerate(notebook.cells):
        # Ids from the position, so the same source builds the same file on every machine.
        cell["id"] = f"{day.name.replace('_', '-')}-{index:02d}"
        cell["metadata"] = {}
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nbformat.validate(notebook)
    return notebook


def text(day: Day) -> str:
    return nbformat.writes(build(day)) + "\n"


def stale() -> list[str]:
    """The notebooks whose committed ``.ipynb`` is not exactly what their source builds."""
    found = []
    for day in DAYS:
        try:
            with open(day.notebook) as fh:
                current = fh.read()
        except FileNotFoundError:
            current = ""
        if current != text(day):
            found.append(day.notebook)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.plan.build", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only say which notebooks are stale")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        for path in found:
            print(f"stale: {path} (run `make notebooks`)", file=sys.stderr)
        return 1 if found else 0
    for day in DAYS:
        with open(day.notebook, "w") as fh:
            fh.write(text(day))
    print(f"built {len(DAYS)} notebooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
