"""The Day notebooks as shipped: built from their Jupytext sources, in sync, without outputs, on the SDK 2.x kernel."""

from __future__ import annotations

import ast
import json
import os

import nbformat

from study_env.paths import NOTEBOOKS_DIR, ROOT
from study_env.plan import DAYS, KERNEL_DISPLAY_NAME, KERNEL_NAME, shipped_files
from tools.plan import build
from tools.plan.studio import start_script


def test_every_notebook_is_its_sources_build():
    assert build.stale() == [], "run `make notebooks`"


def test_the_check_names_a_stale_notebook(tmp_path, monkeypatch, capsys):
    day = DAYS[0]
    copy = tmp_path / os.path.basename(day.notebook)

    class Elsewhere(type(day)):
        @property
        def notebook(self) -> str:
            return str(copy)

    monkeypatch.setattr(build, "DAYS", (Elsewhere(day.day, day.name, day.title, day.bills),))
    copy.write_text(build.text(day))
    assert build.main(["--check"]) == 0
    copy.write_text(build.text(day).replace("Comprehend", "Comprehendo"))
    assert build.main(["--check"]) == 1
    assert f"stale: {copy}" in capsys.readouterr().err


def test_one_notebook_per_day_of_the_plan_each_on_the_sdk_2_kernel_without_outputs():
    assert [day.day for day in DAYS] == [
        "Day 1", "Day 2", "Day 3", "Day 4", "Day 5", "Day 6-7", "Day 8", "Day 9", "Day 10", "Day 11", "Day 12",
        "Day 13-14", "Quiz",
    ]  # fmt: skip
    for day in DAYS:
        notebook = nbformat.read(day.notebook, as_version=4)
        assert notebook.metadata["kernelspec"] == {
            "display_name": KERNEL_DISPLAY_NAME,
            "language": "python",
            "name": KERNEL_NAME,
        }
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code), day.name
        for cell in code:
            if not cell.source.startswith("%%writefile"):  # a cell magic: the file it writes is Python too
                ast.parse(cell.source)
            else:
                ast.parse(cell.source.split("\n", 1)[1])


def test_notebooks_that_bill_clean_up_and_report_their_cost():
    for day in (day for day in DAYS if day.bills):
        code = [cell.source for cell in nbformat.read(day.notebook, as_version=4).cells if cell.cell_type == "code"]
        assert "study_lab.assert_nothing_bills()" in code[-1], day.name
        assert any("study_lab.report(" in source for source in code), day.name


def test_the_start_script_registers_the_kernel_the_notebooks_name():
    start = start_script()
    assert (start.KERNEL_NAME, start.KERNEL_DISPLAY_NAME) == (KERNEL_NAME, KERNEL_DISPLAY_NAME)


def test_what_ships_to_code_notebooks():
    names = sorted(os.path.basename(path) for path in shipped_files())
    assert names == sorted([*(f"{day.name}.ipynb" for day in DAYS), "study_lab.py", "prices.json"])
    assert all(os.path.isfile(path) for path in shipped_files())
    with open(os.path.join(ROOT, "study_env", "data", "prices.json")) as fh:
        prices = json.load(fh)
    assert prices["region"] == "us-east-1" and prices["as_of"]
    assert os.path.dirname(shipped_files()[0]) == NOTEBOOKS_DIR
