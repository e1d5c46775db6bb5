"""Snapshots of every stack's template, asset hashes masked so they match on any machine.

Refresh with `make snapshot-update` and review the diff of tests/unit/__snapshots__/ before committing.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from tests.support.synthesis import ASSET_HASH_RE, masked

DEFAULT_STACKS = ["foundation", "studio", "jobs"]


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


def test_default_app_has_exactly_these_stacks(synth):
    assert sorted(synth.stacks) == sorted(DEFAULT_STACKS)


@pytest.mark.parametrize("stack", DEFAULT_STACKS)
def test_default_stack_template(synth, stack, snapshot_json):
    template = masked(synth.template_json(stack))
    assert not ASSET_HASH_RE.search(str(template))
    assert template == snapshot_json
