"""The study CLI's arguments: one subcommand per command of ``study_env.cli.entry``."""

from __future__ import annotations

import argparse

from study_env.algorithms import ALGORITHMS
from study_env.cli.context import DEFAULT_TIMEOUT_MINUTES


def _job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instance-type", dest="instance_type", help="one of the lab's allowed_instance_types")
    parser.add_argument("--max-runtime-seconds", dest="max_runtime_seconds", type=int)
    parser.add_argument("--request-id", dest="request_id", help="a retry with the same id returns the same job")
    parser.add_argument(
        "--field",
        action="append",
        metavar="KEY=VALUE",
        help="any other launcher request field (JSON value), e.g. --field input_prefix=data/raw/",
    )
    parser.add_argument("--wait", action="store_true", help="follow the job until it ends")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="study", description="Run the study plan on your deployed lab.")
    parser.add_argument("--prefix", default="mls", help="the lab's prefix (context 'prefix'; default mls)")
    parser.add_argument("--region", help="AWS region (default: your AWS configuration)")
    parser.add_argument(
        "--timeout-minutes",
        type=float,
        default=DEFAULT_TIMEOUT_MINUTES,
        help="how long to wait for one job (default %(default)s)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="stacks, outputs, and what bills now: endpoints, running jobs, Studio apps")
    jobs = sub.add_parser("jobs", help="the lab's recent jobs with status")
    jobs.add_argument("--limit", type=int, default=20)

    process = sub.add_parser("process", help="Processing: data/raw/ -> data/processed/")
    _job_options(process)
    _algorithm_option(process, "the algorithm whose input format to write (default xgboost)")
    train = sub.add_parser("train", help="Training: a built-in algorithm (default XGBoost) on data/processed/")
    _job_options(train)
    _algorithm_option(train, "the built-in algorithm (default xgboost; see `study algorithms`)")
    train.add_argument(
        "--hyperparameter", action="append", metavar="NAME=VALUE", help="e.g. --hyperparameter max_depth=6"
    )
    train.add_argument("--spot", action=argparse.BooleanOptionalAction, default=None, help="managed spot training")
    tune = sub.add_parser("tune", help="Hyperparameter tuning over the plan's ranges")
    _job_options(tune)
    _algorithm_option(tune, "the built-in algorithm (default xgboost), tuned over its default ranges")
    tune.add_argument(
        "--objective-metric", dest="objective_metric", help="e.g. validation:rmse (default: the algorithm's)"
    )
    tune.add_argument("--strategy", choices=("Bayesian", "Random", "Hyperband", "Grid"))
    tune.add_argument("--max-jobs", dest="max_jobs", type=int)
    tune.add_argument("--max-parallel-jobs", dest="max_parallel_jobs", type=int)
    transform = sub.add_parser("transform", help="Batch Transform of data/processed/test/")
    _job_options(transform)
    source = transform.add_mutually_exclusive_group(required=True)
    source.add_argument("--model-name", dest="model_name")
    source.add_argument("--training-job-name", dest="training_job_name")
    source.add_argument("--tuning-job-name", dest="tuning_job_name")

    invoke = sub.add_parser("invoke", help="send CSV rows (or the JSON its algorithm reads) to the endpoint")
    _rows_options(invoke)
    invoke.add_argument("--endpoint", help="default: the serving stack's endpoint")

    pipeline = sub.add_parser(
        "pipeline", help="Day 13-14: process, train, tune, transform (, endpoint, invoke, delete)"
    )
    pipeline.add_argument("--max-jobs", dest="max_jobs", type=int, default=4, help="tuning jobs in total (default 4)")
    pipeline.add_argument("--max-parallel-jobs", dest="max_parallel_jobs", type=int, default=2)
    pipeline.add_argument(
        "--endpoint",
        action="store_true",
        help="also deploy the best model (serving stack), invoke it and destroy it again",
    )
    _rows_options(pipeline)

    sub.add_parser("algorithms", help="the built-in algorithms: problem, input formats, instances, exam notes")

    cost = sub.add_parser("cost", help="what bills now and has cost so far; --plan: the whole study plan's estimate")
    cost.add_argument("--plan", action="store_true", help="estimate the two-week plan (no AWS credentials needed)")
    cleanup = sub.add_parser("cleanup", help="stop the lab's running jobs, delete its endpoints and Studio apps")
    cleanup.add_argument("--dry-run", action="store_true", help="only say what would be stopped or deleted")
    return parser


def _algorithm_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--algorithm", choices=[a.name for a in ALGORITHMS], help=help_text)
    # Not a choices list: which formats fit depends on the algorithm, and the launcher says which.
    parser.add_argument(
        "--format",
        help="another format the algorithm trains on, e.g. parquet or recordio-protobuf for xgboost "
        "(default: its first, CSV for most; process and train/tune must name the same)",
    )


def _rows_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--row", action="append", help="one CSV row of features (no label)")
    parser.add_argument(
        "--rows-file",
        dest="rows_file",
        help="a CSV file of rows (no header, no label), or the JSON request of a JSON-reading algorithm",
    )
