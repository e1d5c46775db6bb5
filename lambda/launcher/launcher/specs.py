"""How a hyperparameter is checked: its type, its allowed range or categories, and whether it is tunable.

``algorithms`` declares one :class:`Hp` per hyperparameter of each built-in algorithm; validation calls
:meth:`Hp.problem` on every given value and :meth:`Hp.range_problem` on every tuning range, so that a
value the algorithm's container would reject never starts a billed job.
"""

from __future__ import annotations

import math
from typing import NamedTuple

INTEGER = "integer"
CONTINUOUS = "continuous"
CATEGORICAL = "categorical"
BOOLEAN = "boolean"
# A comma-separated list of categories (eval_metric, eval_metrics).
LIST = "list"
# Free text whose form the algorithm checks itself (e.g. DeepAR's time_freq); only the length is ours.
TEXT = "text"
_BOOLEANS = ("true", "false")


class Hp(NamedTuple):
    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    values: tuple[str, ...] = ()
    # Words accepted besides a number ("auto", "balanced").
    words: tuple[str, ...] = ()
    tunable: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in (INTEGER, CONTINUOUS)

    def range_text(self) -> str:
        """The allowed values as a learner reads them: ``[0, 1]``, ``(0, 1]``, ``>= 1``, ``one of a, b``."""
        if self.kind in (CATEGORICAL, LIST):
            return ("a comma-separated list of " if self.kind == LIST else "one of ") + ", ".join(self.values)
        if self.kind == BOOLEAN:
            return "true or false"
        if not self.numeric:
            return "text"
        noun = "a whole number" if self.kind == INTEGER else "a number"
        words = f" or {' or '.join(repr(w) for w in self.words)}" if self.words else ""
        if self.low is not None and self.high is not None:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            return f"{noun} in {left}{_num(self.low)}, {_num(self.high)}{right}{words}"
        if self.low is not None:
            return f"{noun} {'>' if self.low_open else '>='} {_num(self.low)}{words}"
        if self.high is not None:
            return f"{noun} {'<' if self.high_open else '<='} {_num(self.high)}{words}"
        return noun + words

    def parse(self, text: str) -> float | None:
        """The number ``text`` spells for this hyperparameter, or ``None`` if it is not one it accepts."""
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        if self.kind == INTEGER and (number != int(number) or "." in text or "e" in text.lower()):
            return None
        return number

    def within(self, number: float) -> bool:
        if self.low is not None and (number <= self.low if self.low_open else number < self.low):
            return False
        return not (self.high is not None and (number >= self.high if self.high_open else number > self.high))

    def problem(self, text: str) -> str | None:
        """Why ``text`` is not a value this hyperparameter takes (``None``: it is)."""
        if self.kind == TEXT:
            return None
        if self.kind == BOOLEAN:
            return None if text.lower() in _BOOLEANS else f"must be true or false, not {text!r}"
        if self.kind == CATEGORICAL:
            return None if text in self.values else f"must be {self.range_text()}, not {text!r}"
        if self.kind == LIST:
            bad = [item.strip() for item in text.split(",") if item.strip() not in self.values]
            return f"must be {self.range_text()}, not {bad[0]!r}" if bad else None
        if text in self.words:
            return None
        number = self.parse(text)
        if number is None or not self.within(number):
            return f"must be {self.range_text()}, not {text!r}"
        return None

    def range_problem(self, low: float, high: float) -> str | None:
        """Why a tuning range ``[low, high]`` is not inside what this hyperparameter takes."""
        if not self.numeric:
            return f'takes {self.range_text()}: tune it with {{"values": [...]}}, not min/max'
        for bound, number in (("min", low), ("max", high)):
            if not self.within(number):
                return f"{bound} {_num(number)} is outside what the algorithm takes: {self.range_text()}"
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def integer(
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    words: tuple[str, ...] = (),
    tunable: bool = False,
) -> Hp:
    return Hp(INTEGER, low, high, low_open, high_open, words=words, tunable=tunable)


def continuous(
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    words: tuple[str, ...] = (),
    tunable: bool = False,
) -> Hp:
    return Hp(CONTINUOUS, low, high, low_open, high_open, words=words, tunable=tunable)


def choice(*values: str, tunable: bool = False) -> Hp:
    return Hp(CATEGORICAL, values=values, tunable=tunable)


def boolean(*, tunable: bool = False) -> Hp:
    return Hp(BOOLEAN, values=_BOOLEANS, tunable=tunable)


def items(*values: str) -> Hp:
    return Hp(LIST, values=values)


def text() -> Hp:
    return Hp(TEXT)
