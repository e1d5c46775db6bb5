"""`make synth`'s closing summary: every stack, its resources counted by type, its outputs."""

from __future__ import annotations

from collections import Counter

import pytest

from tools.summary import summarize


def test_summary_counts_every_stacks_resources_by_type(synth):
    text = summarize(synth.outdir)
    for short, stack in synth.stacks.items():
        resources = synth.template_json(short)["Resources"]
        assert f"{stack.stack_name}: {len(resources)} resources" in text
        for rtype, count in Counter(r["Type"] for r in resources.values()).items():
            assert f"{count:3d}  {rtype}" in text
    assert "outputs: AlertsTopicArn, BucketName, ExecutionRoleArn (+4 cross-stack exports)" in text
    assert "ExportsOutput" not in text


def test_summary_of_a_folder_without_stacks_says_so(tmp_path):
    (tmp_path / "manifest.json").write_text('{"artifacts": {}}')
    with pytest.raises(SystemExit, match="no stack templates found"):
        summarize(str(tmp_path))
