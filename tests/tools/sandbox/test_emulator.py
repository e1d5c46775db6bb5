"""The rehearsal's emulator: each one starts from empty moto backends and leaves none behind."""

from __future__ import annotations

import pytest

from tools.sandbox.rehearsal import running_emulator

pytestmark = pytest.mark.slow


def test_each_emulator_starts_empty_whatever_an_earlier_one_held():
    # moto's backends are this process's: the rehearsal after another test's emulator must not see its endpoints.
    with running_emulator() as first:
        first.session().client("sagemaker").create_model(ModelName="left-behind", PrimaryContainer={"Image": "i"})
    with running_emulator() as second:
        assert second.session().client("sagemaker").list_models()["Models"] == []
