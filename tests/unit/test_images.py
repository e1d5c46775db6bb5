"""The committed image region map equals what the SageMaker Python SDK returns, region by region."""

from __future__ import annotations

import pytest
from sagemaker.core import image_uris

from study_env.algorithms import ALGORITHMS, IMAGE_GROUPS
from study_env.config import XGBOOST_VERSIONS
from study_env.images import SKLEARN_TAG, SKLEARN_VERSION, region_registries

REGIONS = sorted(region_registries())


@pytest.fixture(autouse=True, scope="module")
def _one_endpoint_resolver():
    """The SDK reads botocore's endpoint data again on every retrieve (most of its time): read it once here."""
    import functools

    from sagemaker.core import common_utils

    original = common_utils._botocore_resolver
    common_utils._botocore_resolver = functools.lru_cache(maxsize=None)(original)
    yield
    common_utils._botocore_resolver = original


def test_map_covers_every_region_the_sdk_lists():
    sdk_regions = image_uris.config_for_framework("xgboost")["training"]["versions"][XGBOOST_VERSIONS[0]]["registries"]
    assert sorted(sdk_regions) == REGIONS
    assert len(REGIONS) >= 30


@pytest.mark.parametrize("region", REGIONS)
def test_map_matches_sdk(region):
    registry = region_registries()[region]["registry"]
    assert registry.split(".", 1)[0] == region_registries()[region]["account"]
    for version in XGBOOST_VERSIONS:
        assert image_uris.retrieve("xgboost", region, version) == f"{registry}/sagemaker-xgboost:{version}"
        assert (
            image_uris.retrieve("xgboost", region, version, image_scope="inference")
            == f"{registry}/sagemaker-xgboost:{version}"
        )
    assert (
        image_uris.retrieve("sklearn", region, SKLEARN_VERSION, instance_type="ml.m5.large")
        == f"{registry}/sagemaker-scikit-learn:{SKLEARN_TAG}"
    )


@pytest.mark.parametrize("region", REGIONS)
def test_map_matches_sdk_for_every_other_algorithm(region):
    entry = region_registries()[region]
    for algorithm in ALGORITHMS:
        if algorithm.group is None:
            continue
        registry = entry[f"{algorithm.group}Registry"]
        assert registry.split(".", 1)[0] == entry[f"{algorithm.group}Account"]
        expected = f"{registry}/{algorithm.repository}:{algorithm.tag}"
        assert image_uris.retrieve(algorithm.repository, region, algorithm.tag) == expected, algorithm.name
        assert image_uris.retrieve(algorithm.repository, region, algorithm.tag, image_scope="inference") == expected, (
            algorithm.name
        )


def test_the_1p_algorithms_are_in_other_accounts_than_xgboost():
    entry = region_registries()["us-east-1"]
    accounts = {group: entry[f"{group}Account"] for group in IMAGE_GROUPS}
    assert len(set(accounts.values())) == len(IMAGE_GROUPS)
    assert entry["account"] not in accounts.values()


def test_execution_role_pulls_from_the_mapped_account_only(synth):
    import json

    tj = synth.template_json("foundation")
    assert set(tj["Mappings"]["SageMakerImageRegistries"]) == set(REGIONS)
    policies = json.dumps([r for k, r in tj["Resources"].items() if k.startswith("ExecutionRole")])
    assert '"Fn::FindInMap": ["SageMakerImageRegistries", {"Ref": "AWS::Region"}, "account"]' in policies
    for group in IMAGE_GROUPS:
        assert f'"Fn::FindInMap": ["SageMakerImageRegistries", {{"Ref": "AWS::Region"}}, "{group}Account"]' in policies
    for algorithm in ALGORITHMS:
        if algorithm.repository is not None:
            assert f":repository/{algorithm.repository}" in policies, algorithm.name
