"""Every construct documents each of its keyword props, and what a prop defaults to when it has a default."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest
from constructs import Construct

import study_env.constructs


def _constructs() -> list[type]:
    found = []
    for info in pkgutil.iter_modules(study_env.constructs.__path__):
        module = importlib.import_module(f"study_env.constructs.{info.name}")
        found += [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Construct) and obj.__module__ == module.__name__
        ]
    return found


def _param_docs(doc: str) -> dict[str, str]:
    """``:param name: text`` blocks of a docstring (continuation lines included)."""
    return {
        m.group(1): " ".join(m.group(2).split())
        for m in re.finditer(r":param (\w+): (.*?)(?=\n\s*:param |\Z)", doc, re.S)
    }


@pytest.mark.parametrize("construct", _constructs(), ids=lambda c: c.__name__)
def test_each_keyword_prop_is_documented_with_its_default(construct):
    docs = _param_docs(inspect.getdoc(construct) or "")
    for name, parameter in inspect.signature(construct.__init__).parameters.items():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        assert name in docs, f"{construct.__name__}: prop {name!r} is not documented"
        if parameter.default is not inspect.Parameter.empty:
            assert "Default" in docs[name], f"{construct.__name__}: prop {name!r} does not say its default"


def test_the_check_finds_the_constructs():
    names = {c.__name__ for c in _constructs()}
    assert {"StudyBucket", "JobLauncher", "StudioDomain", "ModelEndpoint", "LabFunction"} <= names
