"""``study algorithms``: the study plan's Day 5 table of built-in algorithms, offline (no AWS call)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from study_env.algorithms import ALGORITHMS

COLUMNS = ("algorithm", "problem type", "input formats", "instance family", "exam notes")


def rows() -> list[tuple[str, ...]]:
    return [
        (a.name + (" (GPU)" if a.gpu_only else ""), a.problem, a.input_formats, a.instance_family, a.notes)
        for a in ALGORITHMS
    ]


def table() -> list[str]:
    """The table as aligned lines; the last column (the notes) runs on unpadded."""
    body = rows()
    widths = [max(len(row[i]) for row in [COLUMNS, *body]) for i in range(len(COLUMNS) - 1)]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]])

    return [line(COLUMNS), line(tuple("-" * len(c) for c in COLUMNS)), *(line(row) for row in body)]


def cmd_algorithms(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    for text in table():
        out(text)
    out("")
    out("Train one: study train --algorithm kmeans; tune one: study tune --algorithm linear-learner.")
    out("GPU-only ones need a GPU type in the context's allowed_instance_types (the launcher names the cheapest).")
    return 0


# Commands that need no lab: they run before the CLI looks for AWS credentials or the stacks.
OFFLINE_COMMANDS = {"algorithms": cmd_algorithms}
