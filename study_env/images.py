"""URIs of the built-in SageMaker images, region-agnostic: a committed region map as a CfnMapping.

The map (``data/sagemaker_images.json``) is generated from the SageMaker Python SDK by
``scripts/make_image_map.py`` and checked against it by a test; synth never imports the SDK.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

from aws_cdk import Aws, CfnCondition, CfnMapping, Fn, Stack
from constructs import Construct

from study_env.algorithms import ALGORITHMS, BY_NAME, XGBOOST, XGBOOST_REPOSITORY
from study_env.config import XGBOOST_VERSIONS

MAP_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sagemaker_images.json")
DISTRIBUTION_MAP_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sagemaker_distribution.json")
SKLEARN_REPOSITORY = "sagemaker-scikit-learn"
# The scikit-learn image the Processing job runs preprocessing.py on (the SDK's SKLearnProcessor).
SKLEARN_VERSION = "1.2-1"
SKLEARN_TAG = f"{SKLEARN_VERSION}-cpu-py3"
_MAPPING_ID = "SageMakerImageRegistries"
_DISTRIBUTION_MAPPING_ID = "SageMakerDistributionAccounts"
_DISTRIBUTION_CONDITION_ID = "SageMakerDistributionListed"
# Fn::Or takes at most 10 conditions.
_MAX_OR = 10


@lru_cache(maxsize=1)
def region_registries() -> dict[str, dict[str, str]]:
    """``{region: {"account": ..., "registry": ...}}`` from the committed map."""
    with open(MAP_FILE) as fh:
        return json.load(fh)["regions"]


class SageMakerImages:
    """The image registry of the stack's region, as CloudFormation ``Fn::FindInMap`` tokens.

    One ``CfnMapping`` per stack, created on first use; a stack deployed to a region outside the map
    fails at deploy time with CloudFormation's mapping error instead of pulling a wrong image.
    """

    def __init__(self, scope: Construct) -> None:
        stack = Stack.of(scope)
        existing = stack.node.try_find_child(_MAPPING_ID)
        self._mapping = (
            existing
            if isinstance(existing, CfnMapping)
            else CfnMapping(stack, _MAPPING_ID, mapping=region_registries())
        )

    @property
    def account(self) -> str:
        """The AWS-owned account that holds the built-in images in this region."""
        return self._mapping.find_in_map(Aws.REGION, "account")

    @property
    def registry(self) -> str:
        return self._mapping.find_in_map(Aws.REGION, "registry")

    def group_account(self, group: str) -> str:
        """The AWS-owned account of an image group of the 1P algorithms (``study_env.algorithms``)."""
        return self._mapping.find_in_map(Aws.REGION, f"{group}Account")

    def algorithm_uri(self, name: str) -> str:
        """The training and inference image of a built-in algorithm other than XGBoost."""
        algorithm = BY_NAME[name]
        if algorithm.group is None:
            raise ValueError(f"{name}: its image depends on a version; use xgboost_uri")
        registry = self._mapping.find_in_map(Aws.REGION, f"{algorithm.group}Registry")
        return Fn.join("", [registry, f"/{algorithm.repository}:{algorithm.tag}"])

    def algorithm_images_json(self) -> str:
        """``{"<algorithm>": "<image uri>", ...}`` for every algorithm but XGBoost, as one token string."""
        parts: list[str] = ["{"]
        for index, algorithm in enumerate(a for a in ALGORITHMS if a.name != XGBOOST):
            parts += [("," if index else "") + f'"{algorithm.name}":"', self.algorithm_uri(algorithm.name), '"']
        return Fn.join("", [*parts, "}"])

    def group_repository_arns(self) -> list[str]:
        """The ECR repositories of the 1P algorithms, each in its group's account."""
        return [
            Fn.join(
                "",
                [
                    f"arn:{Aws.PARTITION}:ecr:{Aws.REGION}:",
                    self.group_account(a.group),
                    f":repository/{a.repository}",
                ],
            )
            for a in ALGORITHMS
            if a.group is not None
        ]

    def xgboost_uri(self, version: str) -> str:
        if version not in XGBOOST_VERSIONS:
            raise ValueError(f"xgboost version {version!r}: must be one of {', '.join(XGBOOST_VERSIONS)}")
        return Fn.join("", [self.registry, f"/{XGBOOST_REPOSITORY}:{version}"])

    def sklearn_processing_uri(self) -> str:
        return Fn.join("", [self.registry, f"/{SKLEARN_REPOSITORY}:{SKLEARN_TAG}"])

    def repository_arn(self, repository: str) -> str:
        return Fn.join("", [f"arn:{Aws.PARTITION}:ecr:{Aws.REGION}:", self.account, f":repository/{repository}"])


@lru_cache(maxsize=1)
def distribution_accounts() -> dict[str, str]:
    """``{region: account}`` of the SageMaker Distribution images (Studio's JupyterLab images)."""
    with open(DISTRIBUTION_MAP_FILE) as fh:
        return json.load(fh)["accounts"]


def distribution_image_name() -> str:
    with open(DISTRIBUTION_MAP_FILE) as fh:
        return json.load(fh)["image"]


class SageMakerDistributionImage:
    """The SageMaker Distribution image ARN of the stack's region, from the committed map.

    ``image_arn`` is ``arn:${AWS::Partition}:sagemaker:${AWS::Region}:<account>:image/<name>`` where the
    region is in the map, and ``AWS::NoValue`` elsewhere (Studio then picks its own default, which is a
    SageMaker Distribution image too), so the stack deploys in every region Studio runs in.
    """

    def __init__(self, scope: Construct) -> None:
        stack = Stack.of(scope)
        accounts = distribution_accounts()
        mapping = stack.node.try_find_child(_DISTRIBUTION_MAPPING_ID)
        if not isinstance(mapping, CfnMapping):
            mapping = CfnMapping(
                stack, _DISTRIBUTION_MAPPING_ID, mapping={r: {"account": a} for r, a in sorted(accounts.items())}
            )
        condition = stack.node.try_find_child(_DISTRIBUTION_CONDITION_ID)
        if not isinstance(condition, CfnCondition):
            condition = CfnCondition(stack, _DISTRIBUTION_CONDITION_ID, expression=_region_in(sorted(accounts)))
        arn = Fn.join(
            "",
            [
                f"arn:{Aws.PARTITION}:sagemaker:{Aws.REGION}:",
                mapping.find_in_map(Aws.REGION, "account"),
                f":image/{distribution_image_name()}",
            ],
        )
        self.image_arn: str = Fn.condition_if(condition.logical_id, arn, Aws.NO_VALUE).to_string()


def _region_in(regions: list[str]):
    """A condition expression true when the stack's region is one of ``regions``."""
    equals = [Fn.condition_equals(Aws.REGION, region) for region in regions]
    while len(equals) > 1:
        equals = [
            Fn.condition_or(*equals[i : i + _MAX_OR]) if len(equals[i : i + _MAX_OR]) > 1 else equals[i]
            for i in range(0, len(equals), _MAX_OR)
        ]
    return equals[0]
