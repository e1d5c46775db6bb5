"""Property: for any JSON request the launcher answers with a response dict, never raises, and a
request it rejects makes no SageMaker call (the client is never even created)."""

from __future__ import annotations

import json
import string

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from launcher.algorithms import ALGORITHMS
from launcher.service import INVALID_REQUEST, handle
from launcher.validation import ACTIONS, FIELDS
from tests.support.launcher import BUCKET, SETTINGS

ARN = "arn:aws:sagemaker:us-east-1:123456789012:{}/x"


class RecordingClient:
    """Answers like SageMaker (jobs created, nothing found, empty lists) and records every call."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, operation: str):
        def call(**kwargs):
            self.calls.append(operation)
            if operation.startswith("create_"):
                return {key: ARN.format(operation) for key in _ARN_KEYS}
            if operation.startswith("list_"):
                return {}
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "Could not find it"}}, operation)

        return call


_ARN_KEYS = ("ProcessingJobArn", "TrainingJobArn", "HyperParameterTuningJobArn", "TransformJobArn", "ModelArn")

json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
numbers = st.integers(-5, 200) | st.floats(-1, 200, allow_nan=False)
prefixes = st.sampled_from(
    [
        "data/raw/",
        "data/processed/",
        "models/training/",
        "output/predictions/",
        f"s3://{BUCKET}/data/processed/test",
        "s3://other/data/",
        "../x/",
        "/abs/",
        "",
        "data/../raw",
        "data//x",
        "code/scripts",
    ]
) | st.text(alphabet=string.ascii_letters + "/.:*-_", max_size=30)
ranges = st.dictionaries(
    st.sampled_from(["eta", "max_depth", "subsample", "num_round", "booster", "alpha"]) | st.text(max_size=8),
    st.fixed_dictionaries({"min": numbers, "max": numbers})
    | st.fixed_dictionaries({"values": st.lists(st.integers(0, 9) | st.text(max_size=5), max_size=4)})
    | json_values,
    max_size=4,
)
plausible = {
    "action": st.sampled_from(ACTIONS) | st.text(max_size=10),
    "algorithm": st.sampled_from(sorted(ALGORITHMS)) | st.sampled_from(["k-means", "xgb", "KMeans"]) | json_values,
    "format": st.sampled_from(sorted({f for a in ALGORITHMS.values() for f in a.formats}))
    | st.sampled_from(["parket", "CSV", "libsvm"])
    | json_values,
    "objective_metric": st.sampled_from(["validation:auc", "test:msd", "validation:rmse", "auc"]) | json_values,
    "hyperparameters": st.dictionaries(
        st.sampled_from(["eta", "num_round", "eval_metric", "max_depth"]) | st.text(max_size=8),
        json_scalars,
        max_size=4,
    )
    | json_values,
    "ranges": ranges | json_values,
    "strategy": st.sampled_from(["Bayesian", "Random", "Hyperband", "Grid", "grid", "best"]) | json_values,
    "max_jobs": numbers | json_values,
    "max_parallel_jobs": numbers | json_values,
    "instance_type": st.sampled_from(["ml.t3.medium", "ml.m5.large", "ml.m5.xlarge", "ml.p3.2xlarge"]) | json_values,
    "instance_count": numbers | json_values,
    "max_runtime_seconds": st.integers(0, 100000) | json_values,
    "use_spot": st.booleans() | json_values,
    "input_prefix": prefixes | json_values,
    "output_prefix": prefixes | json_values,
    "train_prefix": prefixes,
    "validation_prefix": prefixes,
    "model_name": st.sampled_from(["m", "my-model", "bad_name", ""]) | json_values,
    "training_job_name": st.sampled_from(["mls-train-250101000000-abc", "theirs"]) | json_values,
    "tuning_job_name": st.sampled_from(["mls-tune-250101000000-abc", "mls-" + "x" * 40]) | json_values,
    "job_name": st.sampled_from(["mls-train-250101000000-abc", "mls-tune-r0123456789abcde", "nope"]) | json_values,
    "request_id": st.text(max_size=70) | json_values,
}
assert set(plausible) == FIELDS
# Requests made of valid values only, so the builders and the SageMaker path are exercised too.
good = {
    "instance_type": st.sampled_from(["ml.m5.large", "ml.m5.xlarge"]),
    "instance_count": st.integers(1, 4),
    "max_runtime_seconds": st.integers(60, 3600),
    "use_spot": st.booleans(),
    "request_id": st.text(alphabet=string.ascii_letters + string.digits + "-._", min_size=1, max_size=64),
    "hyperparameters": st.dictionaries(st.sampled_from(["max_depth", "gamma", "alpha"]), st.integers(1, 9), max_size=2),
    "max_jobs": st.integers(4, 50),
    "max_parallel_jobs": st.integers(1, 4),
    "strategy": st.sampled_from(["Bayesian", "Random", "Hyperband"]),
    "ranges": st.dictionaries(
        st.sampled_from(["eta", "subsample", "lambda"]),
        st.tuples(st.floats(0, 0.4), st.floats(0.5, 1)).map(lambda t: {"min": t[0], "max": t[1]}),
        min_size=1,
        max_size=3,
    ),
    "output_prefix": st.sampled_from(["output/x/", "models/y/"]),
}
good_fields = {
    "process": ["instance_type", "max_runtime_seconds", "request_id"],
    "train": [
        "instance_type",
        "instance_count",
        "max_runtime_seconds",
        "use_spot",
        "request_id",
        "hyperparameters",
        "output_prefix",
    ],
    "tune": [
        "instance_type",
        "max_runtime_seconds",
        "use_spot",
        "request_id",
        "max_jobs",
        "max_parallel_jobs",
        "strategy",
        "ranges",
    ],
    "transform": ["instance_type", "instance_count", "max_runtime_seconds", "request_id", "output_prefix"],
}
valid_events = st.one_of(
    *(
        st.fixed_dictionaries({"action": st.just(action)}, optional={f: good[f] for f in fields})
        for action, fields in good_fields.items()
    ),
    st.just({"action": "list"}),
    # Every CPU algorithm with its own defaults: its image, channels and required hyperparameters.
    st.builds(
        lambda action, name: {"action": action, "algorithm": name},
        st.sampled_from(["train", "tune"]),
        st.sampled_from(sorted(n for n, a in ALGORITHMS.items() if not a.gpu_only and a.objective)),
    ),
    # Every format an algorithm trains on, written by process and read by train or tune.
    st.builds(
        lambda action, pair: {"action": action, "algorithm": pair[0], "format": pair[1]},
        st.sampled_from(["process", "train", "tune"]),
        st.sampled_from(
            sorted((n, f) for n, a in ALGORITHMS.items() if not a.gpu_only and a.objective for f in a.formats)
        ),
    ),
    st.builds(lambda name: {"action": "transform", "model_name": name}, st.sampled_from(["m", "model-1"])),
)
near_misses = st.sampled_from(["hyperparamters", "stratgy", "instance-type", "requestid", "Action"])
events = (
    valid_events
    | st.fixed_dictionaries(
        {"action": plausible["action"]},
        optional={**{k: v for k, v in plausible.items() if k != "action"}, "near": json_values},
    ).map(
        lambda e: {
            **{k: v for k, v in e.items() if k != "near"},
            **({} if "near" not in e else {"hyperparamters": e["near"]}),
        }
    )
    | st.dictionaries(st.sampled_from(sorted(FIELDS)) | near_misses, json_values, max_size=5)
    | json_values
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=events)
def test_any_request_gets_a_response_and_a_rejected_one_calls_nothing(request):
    client = RecordingClient()
    created = []

    def get_client():
        created.append(True)
        return client

    response = handle(request, SETTINGS, get_client)

    assert isinstance(response, dict)
    json.dumps(response)
    event("accepted" if response["ok"] else response["error"]["code"])
    if response["ok"] is True:
        assert client.calls, "a successful response must come from SageMaker"
        return
    assert response["ok"] is False
    error = response["error"]
    assert set(error) == {"field", "code", "message"}
    assert isinstance(error["message"], str) and error["message"]
    assert error["field"] is None or isinstance(error["field"], str)
    if error["code"] == INVALID_REQUEST:
        assert created == [] and client.calls == []
    else:
        assert client.calls


@settings(max_examples=200, deadline=None)
@given(
    action=st.sampled_from(["process", "train", "tune"]),
    algorithm=plausible["algorithm"],
    objective=plausible["objective_metric"],
)
def test_any_algorithm_or_objective_value_gets_a_response(action, algorithm, objective):
    # Focused: the full request space above rarely pairs these fields with their actions.
    request = {
        "action": action,
        "algorithm": algorithm,
        **({"objective_metric": objective} if action == "tune" else {}),
    }
    response = handle(request, SETTINGS, RecordingClient)
    assert isinstance(response, dict) and response["ok"] in (True, False)
    json.dumps(response)
