"""The tags that mark what belongs to the lab: the one place their keys are spelled on the CDK side.

Every stack, and every job and model the launcher creates, carries ``project=study-env`` and
``study-env:prefix=<prefix>``; the cleanup and the cost views find the lab's resources by the
second. ``lambda/shared/lab_contract.py`` spells the same keys for the Lambda functions.
"""

from __future__ import annotations

from typing import Final

PROJECT_KEY: Final = "project"
PROJECT_VALUE: Final = "study-env"
PREFIX_KEY: Final = "study-env:prefix"
# CloudFormation's own tag on what a stack created: such resources are left to their stack.
CLOUDFORMATION_STACK_KEY: Final = "aws:cloudformation:stack-id"


def lab_tags(prefix: str) -> dict[str, str]:
    """The tags of every resource of lab ``prefix``."""
    return {PROJECT_KEY: PROJECT_VALUE, PREFIX_KEY: prefix}
