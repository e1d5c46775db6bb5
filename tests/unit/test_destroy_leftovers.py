"""What `make destroy` leaves, as docs/cost.md says: checked against the synthesized app."""

from __future__ import annotations

import os

import pytest

from study_env.paths import ROOT

# CDK's own functions, whose log groups Lambda creates at run time (docs/cost.md names them).
CDK_FUNCTIONS_WITHOUT_OWN_LOG_GROUP = ("CustomCDKBucketDeployment", "CustomS3AutoDeleteObjects")


def _cost_doc() -> str:
    with open(os.path.join(ROOT, "docs", "cost.md")) as fh:
        return fh.read()


def _functions_logging_outside_the_stack(template: dict) -> list[str]:
    """Functions whose logs go to a log group the stack does not own (and so does not delete)."""
    resources = template["Resources"]
    left = []
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        group = (resource["Properties"].get("LoggingConfig") or {}).get("LogGroup", {})
        owned = resources.get(group.get("Ref", "")) if isinstance(group, dict) else None
        if not (owned and owned["Type"] == "AWS::Logs::LogGroup" and owned.get("DeletionPolicy") == "Delete"):
            left.append(logical_id)
    return left


@pytest.mark.parametrize("fixture", ["synth", "serving_synth"])
def test_only_the_log_groups_docs_cost_md_names_outlive_the_stacks(fixture, request):
    synthesis = request.getfixturevalue(fixture)
    leftovers = {
        stack: _functions_logging_outside_the_stack(synthesis.template_json(stack)) for stack in synthesis.stacks
    }
    unexplained = {
        stack: [f for f in functions if not f.startswith(CDK_FUNCTIONS_WITHOUT_OWN_LOG_GROUP)]
        for stack, functions in leftovers.items()
    }
    assert all(not functions for functions in unexplained.values()), unexplained
    # Both are in the Foundation stack, as the page says, one each, and no other stack has any.
    assert sorted(
        next(p for p in CDK_FUNCTIONS_WITHOUT_OWN_LOG_GROUP if f.startswith(p)) for f in leftovers["foundation"]
    ) == sorted(CDK_FUNCTIONS_WITHOUT_OWN_LOG_GROUP)
    assert all(not functions for stack, functions in leftovers.items() if stack != "foundation")
    doc = _cost_doc()
    for name in CDK_FUNCTIONS_WITHOUT_OWN_LOG_GROUP:
        assert f"/aws/lambda/mls-foundation-{name}" in doc
