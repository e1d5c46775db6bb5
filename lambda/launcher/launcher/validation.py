"""Request validation: a JSON object in, one typed request per action out, or a :class:`RequestError`.

Every field not given takes the study plan's default (``defaults``). Nothing here talks to AWS, so a
rejected request cannot have started anything. :data:`PARSERS` dispatches on the action; each parser
reads only its action's fields.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from typing import Any

from launcher import defaults as d
from launcher import names
from launcher.algorithms import ALGORITHMS, GPU_FAMILIES, GPU_TRAINING_PRICES, Algorithm
from launcher.requests import (
    CategoricalRange,
    DescribeRequest,
    ListRequest,
    NumericRange,
    ProcessRequest,
    Range,
    Request,
    TrainRequest,
    TransformRequest,
    TuneRequest,
)
from launcher.settings import Settings

ACTIONS = ("process", "train", "tune", "transform", "describe", "list")
_COMMON_JOB = ("instance_type", "instance_count", "max_runtime_seconds", "request_id")
_TRAINING = ("algorithm", "format", "hyperparameters", "use_spot", "train_prefix", "validation_prefix", "output_prefix")
ACTION_FIELDS: dict[str, frozenset[str]] = {
    "process": frozenset({*_COMMON_JOB, "input_prefix", "output_prefix", "algorithm", "format"}),
    "train": frozenset({*_COMMON_JOB, *_TRAINING}),
    "tune": frozenset(
        {*_COMMON_JOB, *_TRAINING, "ranges", "strategy", "objective_metric", "max_jobs", "max_parallel_jobs"}
    ),
    "transform": frozenset(
        {*_COMMON_JOB, "model_name", "training_job_name", "tuning_job_name", "input_prefix", "output_prefix"}
    ),
    "describe": frozenset({"job_name"}),
    "list": frozenset(),
}
FIELDS = frozenset({"action"}.union(*ACTION_FIELDS.values()))
TRANSFORM_SOURCES = ("model_name", "training_job_name", "tuning_job_name")

_HYPERPARAMETER_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,256}$")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:/=+@-]{1,64}$")
# Key characters S3 documents as safe, minus "*" (an IAM wildcard).
_KEY_PREFIX_RE = re.compile(r"^[A-Za-z0-9!_.'()/=-]+$")
_MAX_PREFIX_LENGTH = 512
_MAX_HYPERPARAMETERS = 100
_MAX_HYPERPARAMETER_VALUE = 2500
_MAX_RANGES = 30
_MAX_CATEGORIES = 30
_MAX_CATEGORY_LENGTH = 256


class RequestError(ValueError):
    """A request the launcher refuses: ``field`` names the request field (``None``: the whole request)."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}" if field else message)


def validate(event: Any, settings: Settings) -> Request:
    """The typed request that ``event`` asks for; raises :class:`RequestError` naming the first bad field."""
    if not isinstance(event, dict):
        raise RequestError(None, f"the request must be a JSON object, not {_json_type(event)}")
    for key in sorted(event, key=str):
        if key not in FIELDS:
            raise RequestError(str(key), "unknown field" + _did_you_mean(str(key), FIELDS))
    if "action" not in event:
        raise RequestError("action", "missing; one of " + ", ".join(ACTIONS))
    action = event["action"]
    if action not in ACTIONS:
        hint = _did_you_mean(action, ACTIONS) if isinstance(action, str) else ""
        raise RequestError("action", f"must be one of {', '.join(ACTIONS)}, not {_show(action)}{hint}")
    allowed = ACTION_FIELDS[action]
    for key in sorted(event):
        if key != "action" and key not in allowed:
            takes = ", ".join(sorted(allowed)) if allowed else "no other field"
            raise RequestError(key, f"is not used by action {action!r} (it takes: {takes})")
    return PARSERS[action](event, settings)


def _list(event: dict, settings: Settings) -> ListRequest:
    return ListRequest()


def _describe(event: dict, settings: Settings) -> DescribeRequest:
    return DescribeRequest(job_name=_describe_name(event, settings))


def _job_fields(event: dict, action: str, settings: Settings) -> dict[str, Any]:
    """What every job request has: the instance, the runtime limit and an optional request id."""
    count_limit = 1 if action == "process" else d.INSTANCE_COUNT_LIMIT
    return {
        "request_id": _request_id(event["request_id"]) if "request_id" in event else None,
        "instance_type": _instance_type(event.get("instance_type"), action, settings),
        "instance_count": _int("instance_count", event.get("instance_count", 1), 1, count_limit),
        "max_runtime_seconds": _int(
            "max_runtime_seconds",
            event.get("max_runtime_seconds", d.MAX_RUNTIME_SECONDS[action]),
            *d.RUNTIME_LIMITS[action],
        ),
    }


def _process(event: dict, settings: Settings) -> ProcessRequest:
    algorithm = _algorithm(event.get("algorithm", d.ALGORITHM))
    if algorithm.gpu_only:
        raise RequestError("algorithm", f"the lab's processing script writes no data for {algorithm.name} (image data)")
    fmt = _format(event, algorithm)
    return ProcessRequest(
        **_job_fields(event, "process", settings),
        algorithm=algorithm.name,
        format=fmt,
        input_prefix=_prefix(
            "input_prefix",
            event.get("input_prefix", d.DATA_RAW + d.RAW_DATASETS.get(algorithm.name, "")),
            settings,
            d.READABLE_PREFIXES,
        ),
        output_prefix=_prefix(
            "output_prefix",
            event.get("output_prefix", _processed_prefix(algorithm, fmt)),
            settings,
            d.WRITABLE_PREFIXES,
        ),
    )


def _format(event: dict, algorithm: Algorithm) -> str:
    value = event.get("format", algorithm.format)
    if not isinstance(value, str) or value not in algorithm.formats:
        hint = _did_you_mean(value, algorithm.formats) if isinstance(value, str) else ""
        reads = f"{algorithm.format} only" if not algorithm.other_formats else "one of " + ", ".join(algorithm.formats)
        raise RequestError("format", f"{algorithm.name} trains on {reads}; not {_show(value)}{hint}")
    return value


def _processed_prefix(algorithm: Algorithm, fmt: str) -> str:
    return d.processed_prefix(algorithm.name, None if fmt == algorithm.format else fmt)


def _training_fields(event: dict, action: str, settings: Settings) -> dict[str, Any]:
    algorithm = _algorithm(event.get("algorithm", d.ALGORITHM))
    if algorithm.gpu_only:
        _check_gpu(algorithm, event, settings)
    given = _hyperparameters(event.get("hyperparameters", {}), algorithm)
    fmt = _format(event, algorithm)
    return {
        **_job_fields(event, action, settings),
        "algorithm": algorithm.name,
        "format": fmt,
        "hyperparameters": {**{k: _stringify(v) for k, v in algorithm.defaults.items()}, **given},
        "use_spot": _bool("use_spot", event.get("use_spot", d.USE_SPOT)),
        "train_prefix": _prefix(
            "train_prefix",
            event.get("train_prefix", _processed_prefix(algorithm, fmt) + "train/"),
            settings,
            d.READABLE_PREFIXES,
        ),
        "validation_prefix": _prefix(
            "validation_prefix",
            event.get("validation_prefix", _processed_prefix(algorithm, fmt) + "validation/"),
            settings,
            d.READABLE_PREFIXES,
        ),
        "output_prefix": _prefix(
            "output_prefix", event.get("output_prefix", d.MODELS_TRAINING), settings, d.WRITABLE_PREFIXES
        ),
    }


def _train(event: dict, settings: Settings) -> TrainRequest:
    fields = _training_fields(event, "train", settings)
    algorithm = ALGORITHMS[fields["algorithm"]]
    _check_required(algorithm, fields["hyperparameters"], {})
    _check_rules(algorithm, fields["hyperparameters"])
    return TrainRequest(**fields)


def _algorithm(value: Any) -> Algorithm:
    if not isinstance(value, str) or value not in ALGORITHMS:
        hint = _did_you_mean(value, ALGORITHMS) if isinstance(value, str) else ""
        raise RequestError("algorithm", f"must be one of {', '.join(ALGORITHMS)}, not {_show(value)}{hint}")
    return ALGORITHMS[value]


def cheapest_gpu() -> tuple[str, float]:
    instance_type = min(GPU_TRAINING_PRICES, key=GPU_TRAINING_PRICES.__getitem__)
    return instance_type, GPU_TRAINING_PRICES[instance_type]


def _check_gpu(algorithm: Algorithm, event: dict, settings: Settings) -> None:
    """A GPU-only algorithm fails on a CPU instance after it has started: refuse it with the way out."""
    gpus = [t for t in settings.allowed_instance_types if t.startswith(GPU_FAMILIES)]
    if not gpus:
        cheapest, price = cheapest_gpu()
        raise RequestError(
            "algorithm",
            f"{algorithm.name} trains on GPU instances only, and allowed_instance_types "
            f"({', '.join(settings.allowed_instance_types)}) has none; the cheapest suitable is {cheapest} at "
            f"${price}/hour (us-east-1 on-demand): add it to allowed_instance_types in cdk.json to use it",
        )
    chosen = event.get("instance_type", settings.default_instance_type)
    if chosen not in gpus:
        raise RequestError(
            "instance_type", f"{algorithm.name} trains on GPU instances only: use one of {', '.join(gpus)}"
        )


def _check_required(algorithm: Algorithm, hyperparameters: dict[str, str], ranges: dict[str, Range]) -> None:
    for name in algorithm.required:
        if name not in hyperparameters and name not in ranges:
            raise RequestError(
                "hyperparameters",
                f"{name} is required by {algorithm.name} ({algorithm.hyperparameters[name].range_text()})",
            )


def _check_rules(algorithm: Algorithm, hyperparameters: dict[str, str]) -> None:
    for rule in algorithm.rules:
        problem = rule(hyperparameters)
        if problem:
            raise RequestError("hyperparameters", f"{algorithm.name}: {problem}")


def job_time_limit(request: TrainRequest) -> int:
    """How long one training job may take in all: its runtime, plus the wait for spot capacity."""
    return request.max_runtime_seconds * (d.SPOT_WAIT_FACTOR if request.use_spot else 1)


def tuning_rounds(request: TuneRequest) -> int:
    """How many rounds of parallel training jobs a tuning job runs at most."""
    return math.ceil(request.max_jobs / request.max_parallel_jobs)


def tuning_runtime_limit(request: TuneRequest) -> int:
    """The whole tuning job's limit: every round of parallel jobs at its own limit (spot wait included)."""
    return job_time_limit(request) * tuning_rounds(request)


def _tune(event: dict, settings: Settings) -> TuneRequest:
    """SageMaker's own rules for the tuning job, checked before the call."""
    fields = _training_fields(event, "tune", settings)
    algorithm = ALGORITHMS[fields["algorithm"]]
    hyperparameters: dict[str, str] = fields["hyperparameters"]
    strategy = _strategy(event.get("strategy", d.STRATEGY))
    if algorithm.objective is None:
        raise RequestError("algorithm", f"{algorithm.name} emits no objective metric SageMaker can tune on")
    ranges = _ranges(event.get("ranges", algorithm.ranges), algorithm)
    given = event.get("hyperparameters", {})
    for name in sorted(ranges):
        if name in given:
            raise RequestError(
                "hyperparameters", f"{name!r} is also in ranges: a tuned hyperparameter cannot be fixed too"
            )
    static = {k: v for k, v in hyperparameters.items() if k not in ranges}
    _check_required(algorithm, static, ranges)
    _check_rules(algorithm, static)
    objective, direction = _objective(event.get("objective_metric", algorithm.objective), algorithm, hyperparameters)
    if strategy == "Hyperband" and algorithm.hyperband_resource is None:
        raise RequestError(
            "strategy",
            f"Hyperband needs a training resource to grow; the lab knows one for xgboost only, not {algorithm.name}",
        )
    max_jobs = _int("max_jobs", event["max_jobs"], 1, d.MAX_JOBS_LIMIT) if "max_jobs" in event else None
    rule = STRATEGY_RULES.get(strategy)
    if rule is not None:
        max_jobs = rule(ranges, hyperparameters, max_jobs, "ranges" if "ranges" in event else "strategy")
    if max_jobs is None:
        max_jobs = d.MAX_JOBS
    if "max_parallel_jobs" in event:
        parallel = _int("max_parallel_jobs", event["max_parallel_jobs"], 1, d.MAX_PARALLEL_JOBS_LIMIT)
        if parallel > max_jobs:
            raise RequestError("max_parallel_jobs", f"must not be more than the total number of jobs ({max_jobs})")
    else:
        parallel = min(d.MAX_PARALLEL_JOBS, max_jobs)
    fields["hyperparameters"] = static
    request = TuneRequest(
        **fields,
        strategy=strategy,
        objective_metric=objective,
        objective_type=direction,
        ranges=ranges,
        max_jobs=max_jobs,
        max_parallel_jobs=parallel,
    )
    _check_tuning_runtime(request)
    return request


def _objective(value: Any, algorithm: Algorithm, hyperparameters: dict[str, str]) -> tuple[str, str]:
    """The tuning objective and its direction; the training jobs must emit it, or tuning finds nothing."""
    if not isinstance(value, str) or value not in algorithm.metrics:
        hint = _did_you_mean(value, algorithm.metrics) if isinstance(value, str) else ""
        raise RequestError(
            "objective_metric",
            f"{algorithm.name} can be tuned on {', '.join(algorithm.metrics)}, not {_show(value)}{hint}",
        )
    metric = algorithm.metrics[value]
    if metric.needs is not None:
        spec = algorithm.hyperparameters[metric.needs]
        current = hyperparameters.get(metric.needs, "")
        present = [m.strip().split("@")[0] for m in current.split(",")] if spec.kind == "list" else [current]
        if not set(metric.values) & set(present):
            want = f"include {metric.values[0]!r}" if spec.kind == "list" else f"be one of {', '.join(metric.values)}"
            raise RequestError(
                "hyperparameters",
                f"{metric.needs} must {want}: the tuning objective is {value}, not emitted otherwise "
                f"({metric.needs} is {current!r})",
            )
    return value, metric.direction


def grid_rules(
    ranges: dict[str, Range], hyperparameters: dict[str, str], max_jobs: int | None, ranges_field: str
) -> int:
    """Grid searches categorical values only and runs every combination: that is its number of jobs."""
    numeric = sorted(n for n, r in ranges.items() if isinstance(r, NumericRange))
    if numeric:
        raise RequestError(
            ranges_field,
            "strategy 'Grid' searches categorical values only; give every range as {\"values\": [...]} "
            f"({', '.join(numeric)} {'is a min/max range' if len(numeric) == 1 else 'are min/max ranges'})",
        )
    combinations = math.prod(len(r.values) for r in ranges.values() if isinstance(r, CategoricalRange))
    if combinations > d.MAX_JOBS_LIMIT:
        raise RequestError(
            "ranges",
            f"Grid would run {combinations} training jobs (every combination); the lab allows {d.MAX_JOBS_LIMIT}",
        )
    if max_jobs is not None and max_jobs != combinations:
        raise RequestError(
            "max_jobs",
            f"Grid runs every combination of the values: {combinations}; leave max_jobs out or set it to "
            f"{combinations}",
        )
    return combinations


def hyperband_rules(
    ranges: dict[str, Range], hyperparameters: dict[str, str], max_jobs: int | None, ranges_field: str
) -> int | None:
    """Hyperband grows its training resource (XGBoost's boosting rounds) itself: fixed, never tuned."""
    if d.HYPERBAND_RESOURCE in ranges:
        raise RequestError(
            "ranges", f"Hyperband grows {d.HYPERBAND_RESOURCE} itself as its training resource; do not tune it"
        )
    rounds = hyperparameters.get(d.HYPERBAND_RESOURCE, "")
    if not rounds.isdigit() or not 1 <= int(rounds) <= d.HYPERBAND_MAX_RESOURCE:
        raise RequestError(
            "hyperparameters",
            f"Hyperband needs {d.HYPERBAND_RESOURCE} as a whole number between 1 and {d.HYPERBAND_MAX_RESOURCE}, not "
            f"{rounds!r}",
        )
    return max_jobs


StrategyRule = Callable[[dict[str, Range], dict[str, str], "int | None", str], "int | None"]
STRATEGY_RULES: dict[str, StrategyRule] = {"Grid": grid_rules, "Hyperband": hyperband_rules}


def _check_tuning_runtime(request: TuneRequest) -> None:
    limit = tuning_runtime_limit(request)
    if limit < d.TUNING_MIN_RUNTIME_SECONDS:
        rounds = tuning_rounds(request)
        needed = math.ceil(d.TUNING_MIN_RUNTIME_SECONDS * request.max_runtime_seconds / limit)
        raise RequestError(
            "max_runtime_seconds",
            f"SageMaker requires a tuning job's MaxRuntimeInSeconds to be at least {d.TUNING_MIN_RUNTIME_SECONDS}; "
            f"{rounds} round(s) of training jobs limited to {job_time_limit(request)} s each give {limit} s: "
            f"set max_runtime_seconds to at least {needed}",
        )


def _transform(event: dict, settings: Settings) -> TransformRequest:
    sources = [s for s in TRANSFORM_SOURCES if s in event]
    if len(sources) != 1:
        raise RequestError(
            sources[1] if len(sources) > 1 else "model_name",
            "give exactly one of " + ", ".join(TRANSFORM_SOURCES) + (f" (got {', '.join(sources)})" if sources else ""),
        )
    source = sources[0]
    value = event[source]
    max_length = names.MAX_LENGTH["tuning" if source == "tuning_job_name" else "model"]
    if not isinstance(value, str) or len(value) > max_length or not names.SAGEMAKER_NAME_RE.match(value):
        raise RequestError(
            source, f"must be a SageMaker name: 1-{max_length} letters, digits and hyphens, not {_show(value)}"
        )
    if source != "model_name" and not names.is_labs(value, settings.prefix):
        raise RequestError(source, f"must be one of the lab's jobs (a name starting with {settings.prefix + '-'!r})")
    sources_given: dict[str, Any] = {source: value}
    return TransformRequest(
        **_job_fields(event, "transform", settings),
        **sources_given,
        input_prefix=_prefix(
            "input_prefix", event.get("input_prefix", d.TRANSFORM_INPUT_PREFIX), settings, d.READABLE_PREFIXES
        ),
        output_prefix=_prefix(
            "output_prefix", event.get("output_prefix", d.OUTPUT_PREDICTIONS), settings, d.WRITABLE_PREFIXES
        ),
    )


PARSERS: dict[str, Callable[[dict, Settings], Request]] = {
    "process": _process,
    "train": _train,
    "tune": _tune,
    "transform": _transform,
    "describe": _describe,
    "list": _list,
}


def _describe_name(event: dict, settings: Settings) -> str:
    if "job_name" not in event:
        raise RequestError("job_name", "missing: the name of the job to describe")
    name = event["job_name"]
    if not isinstance(name, str) or names.kind_of(name, settings.prefix) is None:
        raise RequestError(
            "job_name",
            f"must be the name of one of the lab's jobs, like {settings.prefix}-train-250101120000-a1b "
            f"(see action 'list'), not {_show(name)}",
        )
    return name


def _instance_type(value: Any, action: str, settings: Settings) -> str:
    if value is None:
        value = settings.default_instance_type
    if value not in settings.allowed_instance_types:
        raise RequestError(
            "instance_type",
            f"must be one of the allowed instance types {', '.join(settings.allowed_instance_types)}, not "
            f"{_show(value)}",
        )
    for family in d.UNSUPPORTED_INSTANCE_FAMILIES.get(action, ()):
        if value.startswith(family):
            offered = [t for t in settings.allowed_instance_types if not t.startswith(family)]
            raise RequestError(
                "instance_type",
                f"SageMaker does not offer {value} for {action} jobs; use one of "
                f"{', '.join(offered) or 'none allowed'}",
            )
    return value


def _prefix(name: str, value: Any, settings: Settings, roots: tuple[str, ...]) -> str:
    """A key prefix inside the study bucket, ending in '/': given relative, or as s3://<study bucket>/..."""
    if not isinstance(value, str):
        raise RequestError(name, f"must be a key prefix in the study bucket, like {roots[0]}, not {_show(value)}")
    key = value
    if key.lower().startswith("s3://"):
        bucket, _, key = key[5:].partition("/")
        if bucket != settings.bucket:
            raise RequestError(name, f"must be in the study bucket {settings.bucket!r}, not in {bucket!r}")
    if not key:
        raise RequestError(name, "must not be empty: give a key prefix such as " + roots[0])
    if key.startswith("/"):
        raise RequestError(name, f"must be relative to the study bucket (no leading '/'), not {_show(value)}")
    if "://" in key:
        raise RequestError(name, f"must be a key prefix in the study bucket, not another URL: {_show(value)}")
    if len(key) > _MAX_PREFIX_LENGTH:
        raise RequestError(name, f"must be at most {_MAX_PREFIX_LENGTH} characters")
    if not _KEY_PREFIX_RE.match(key):
        raise RequestError(name, "may contain only letters, digits, '/' and !_.'()=-")
    key = key if key.endswith("/") else key + "/"
    if any(part in ("", ".", "..") for part in key[:-1].split("/")):
        raise RequestError(name, f"must not contain '..', '.' or '//' segments: {_show(value)}")
    if not key.startswith(roots):
        raise RequestError(
            name,
            f"must be under {', '.join(roots)} (where the SageMaker execution role may "
            f"{'write' if name == 'output_prefix' else 'read'})",
        )
    return key


def _hyperparameters(value: Any, algorithm: Algorithm) -> dict[str, str]:
    if not isinstance(value, dict):
        raise RequestError("hyperparameters", f"must be an object of name: value, not {_json_type(value)}")
    if len(value) > _MAX_HYPERPARAMETERS:
        raise RequestError("hyperparameters", f"at most {_MAX_HYPERPARAMETERS} may be given")
    result = {}
    for key in sorted(value, key=str):
        if not isinstance(key, str) or not _HYPERPARAMETER_KEY_RE.match(key):
            raise RequestError("hyperparameters", f"name {_show(key)}: use 1-256 letters, digits and _.:-")
        item = value[key]
        if not _is_scalar(item):
            raise RequestError("hyperparameters", f"{key}: must be a string, number or boolean, not {_json_type(item)}")
        text = _stringify(item)
        if not text or len(text) > _MAX_HYPERPARAMETER_VALUE:
            raise RequestError("hyperparameters", f"{key}: must be 1-{_MAX_HYPERPARAMETER_VALUE} characters")
        _check_name(key, algorithm, "hyperparameters")
        problem = algorithm.hyperparameters[key].problem(text)
        if problem:
            raise RequestError("hyperparameters", f"{key}: {problem} ({algorithm.name})")
        result[key] = text
    return result


def _check_name(name: str, algorithm: Algorithm, field: str) -> None:
    if name not in algorithm.hyperparameters:
        raise RequestError(
            field,
            f"{name!r} is not a hyperparameter of {algorithm.name}" + _did_you_mean(name, algorithm.hyperparameters),
        )


def _ranges(value: Any, algorithm: Algorithm) -> dict[str, Range]:
    if not isinstance(value, dict) or not value:
        raise RequestError("ranges", 'must be a non-empty object like {"eta": {"min": 0.01, "max": 0.3}}')
    if len(value) > _MAX_RANGES:
        raise RequestError("ranges", f"at most {_MAX_RANGES} hyperparameters can be tuned")
    result: dict[str, Range] = {}
    for name in sorted(value, key=str):
        if not isinstance(name, str) or not _HYPERPARAMETER_KEY_RE.match(name):
            raise RequestError("ranges", f"name {_show(name)}: use 1-256 letters, digits and _.:-")
        result[name] = _range(name, value[name], algorithm)
    return result


def _range(name: str, spec: Any, algorithm: Algorithm) -> Range:
    """One tuning range, inside what the algorithm accepts for that hyperparameter."""
    where = f"ranges.{name}"
    _check_name(name, algorithm, "ranges")
    hp = algorithm.hyperparameters[name]
    if not hp.tunable:
        tunable = sorted(n for n, h in algorithm.hyperparameters.items() if h.tunable)
        raise RequestError(where, f"{algorithm.name} cannot tune {name}; its tunable ones: {', '.join(tunable)}")
    if not isinstance(spec, dict) or set(spec) not in ({"min", "max"}, {"values"}):
        extra = sorted(set(spec) - {"min", "max", "values"}) if isinstance(spec, dict) else []
        hint = _did_you_mean(extra[0], ("min", "max", "values")) if extra else ""
        raise RequestError(where, 'must be {"min": <number>, "max": <number>} or {"values": [...]}' + hint)
    if "values" in spec:
        categories = _categories(where, spec["values"])
        for text in categories.values:
            problem = hp.problem(text)
            if problem:
                raise RequestError(where, f"{problem} ({algorithm.name})")
        return categories
    low, high = spec["min"], spec["max"]
    integer = hp.kind == "integer"
    for bound, number in (("min", low), ("max", high)):
        if not _is_number(number) or (integer and not isinstance(number, int)):
            kind = "a whole number" if integer else "a number"
            raise RequestError(where, f"{bound} must be {kind}, not {_show(number)}")
    if not low < high:
        raise RequestError(where, f"min ({low}) must be less than max ({high})")
    problem = hp.range_problem(low, high)
    if problem:
        raise RequestError(where, f"{problem} ({algorithm.name})")
    return NumericRange(min=low, max=high, integer=integer)


def _categories(where: str, values: Any) -> CategoricalRange:
    if not isinstance(values, list) or not 1 <= len(values) <= _MAX_CATEGORIES:
        raise RequestError(where, f"values must be a list of 1-{_MAX_CATEGORIES} strings or numbers")
    texts = []
    for item in values:
        if not _is_scalar(item):
            raise RequestError(where, f"values must be strings or numbers, not {_json_type(item)}")
        text = _stringify(item)
        if not text or len(text) > _MAX_CATEGORY_LENGTH:
            raise RequestError(where, f"each value must be 1-{_MAX_CATEGORY_LENGTH} characters")
        texts.append(text)
    if len(set(texts)) != len(texts):
        raise RequestError(where, "values must be distinct")
    return CategoricalRange(values=tuple(texts))


def _strategy(value: Any) -> str:
    if isinstance(value, str):
        for strategy in d.STRATEGIES:
            if value.lower() == strategy.lower():
                return strategy
    hint = _did_you_mean(value, d.STRATEGIES) if isinstance(value, str) else ""
    raise RequestError("strategy", f"must be one of {', '.join(d.STRATEGIES)}, not {_show(value)}{hint}")


def _request_id(value: Any) -> str:
    if not isinstance(value, str) or not _REQUEST_ID_RE.match(value):
        raise RequestError("request_id", f"must be 1-64 letters, digits and ._:/=+@-, not {_show(value)}")
    return value


def _int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RequestError(name, f"must be a whole number from {low} to {high}, not {_show(value)}")
    return value


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise RequestError(name, f"must be true or false, not {_show(value)}")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, bool)) or _is_number(value)


def _stringify(value: str | int | float | bool) -> str:
    """SageMaker takes hyperparameters and categories as strings; JSON true/false stay lowercase."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    for kind, name in (
        (bool, "a boolean"),
        (str, "a string"),
        (int, "a number"),
        (float, "a number"),
        (list, "an array"),
        (dict, "an object"),
    ):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__
