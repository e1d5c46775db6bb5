"""The architecture diagram (docs/architecture.md) is generated from the synthesized app and kept in sync."""

from __future__ import annotations

import os

import pytest

from tests.support.synthesis import ROOT
from tools.assembly import CloudAssembly
from tools.diagram import END_MARKER, START_MARKER, render, replace_between_markers

ARCHITECTURE = os.path.join(ROOT, "docs", "architecture.md")


@pytest.fixture(scope="module")
def diagram(synth) -> str:
    return render(CloudAssembly(synth.outdir))


def test_the_documented_diagram_matches_the_synthesized_app(diagram):
    with open(ARCHITECTURE) as fh:
        document = fh.read()
    assert replace_between_markers(document, diagram) == document, "the diagram is stale: run `make diagram`"


def test_every_stack_is_a_box_and_the_lab_constructs_are_nodes(diagram, synth):
    for stack in CloudAssembly(synth.outdir).stacks:
        assert f'["{stack.stack_name}"]' in diagram
    assert "<b>StudyBucket</b><br/>S3 Bucket" in diagram
    assert "<b>ExecutionRole</b><br/>IAM Role" in diagram
    # The execution role's policy names the bucket: an arrow from role to bucket.
    assert "mls_foundation_ExecutionRole --> mls_foundation_StudyBucket" in diagram
    # CDK's own helpers are not drawn.
    assert "Custom::" not in diagram and "CustomResourceProvider" not in diagram


def test_rendering_is_deterministic(diagram, synth):
    assert render(CloudAssembly(synth.outdir)) == diagram


def test_a_document_without_markers_is_refused():
    with pytest.raises(ValueError, match="markers"):
        replace_between_markers("# no markers here\n", "x")
    assert (
        replace_between_markers(f"a\n{START_MARKER}\nold\n{END_MARKER}\nb", "new")
        == f"a\n{START_MARKER}\nnew\n{END_MARKER}\nb"
    )


def test_cross_stack_imports_become_labelled_arrows(tmp_path):
    import json

    def write(name, template, paths, deps=()):
        (tmp_path / f"{name}.template.json").write_text(json.dumps(template))
        return {
            "type": "aws:cloudformation:stack",
            "dependencies": list(deps),
            "properties": {"templateFile": f"{name}.template.json", "stackName": f"lab-{name.lower()}"},
            "metadata": {
                path: [{"type": "aws:cdk:logicalId", "data": logical_id}] for logical_id, path in paths.items()
            },
        }

    producer = {
        "Resources": {"BucketX": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {"Out": {"Value": {"Ref": "BucketX"}, "Export": {"Name": "base:bucket"}}},
    }
    consumer = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Environment": {"Variables": {"B": {"Fn::ImportValue": "base:bucket"}}}},
            }
        }
    }
    manifest = {
        "artifacts": {
            "Base": write("Base", producer, {"BucketX": "/Base/Data/Bucket/Resource"}),
            "Jobs": write("Jobs", consumer, {"Fn": "/Jobs/Launcher/Function/Resource"}, ["Base"]),
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    diagram = render(CloudAssembly(str(tmp_path)))
    assert "Jobs_Launcher -->|cross-stack| Base_Data" in diagram
    assert '["lab-base"]' in diagram and '["lab-jobs"]' in diagram
