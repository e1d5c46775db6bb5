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
    assert masked(synth.template_json(stack)) == snapshot_json


def _differences(raw, masked_value, path=()):
    """(path, raw leaf) of every leaf the masking changed."""
    if isinstance(raw, dict):
        for key in raw:
            yield from _differences(raw[key], masked_value[key], (*path, key))
    elif isinstance(raw, list):
        for index, (a, b) in enumerate(zip(raw, masked_value, strict=True)):
            yield from _differences(a, b, (*path, index))
    elif raw != masked_value:
        yield path, raw


@pytest.mark.parametrize("stack", DEFAULT_STACKS)
def test_masking_replaces_asset_hashes_and_nothing_else(synth, stack):
    # What differs between machines is the asset hash, which CDK writes into S3 object keys of
    # code and seed assets; everything else in a template must be compared as it is.
    raw = synth.template_json(stack)
    changed = list(_differences(raw, masked(raw)))
    for path, value in changed:
        assert ASSET_HASH_RE.fullmatch(value.removesuffix(".zip")), (path, value)
        assert "S3Key" in path or "SourceObjectKeys" in path, path
    # Every default stack has Lambda code (or seeded files): the check above has work to do.
    assert changed
