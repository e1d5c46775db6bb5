"""The launcher's configuration, read from the function's environment (set by the JobLauncher construct)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from launcher.algorithms import ALGORITHMS, DEFAULT

BUCKET = "STUDY_BUCKET"
ROLE_ARN = "EXECUTION_ROLE_ARN"
PREFIX = "JOB_PREFIX"
XGBOOST_IMAGE = "XGBOOST_IMAGE_URI"
SKLEARN_IMAGE = "SKLEARN_IMAGE_URI"
# A JSON object: algorithm name -> its training image URI, for every algorithm but XGBoost.
ALGORITHM_IMAGES = "ALGORITHM_IMAGES"
ALLOWED_INSTANCE_TYPES = "ALLOWED_INSTANCE_TYPES"
DEFAULT_INSTANCE_TYPE = "DEFAULT_INSTANCE_TYPE"
REGION = "AWS_REGION"
# What the construct must set; AWS_REGION comes from the Lambda runtime itself.
ENVIRONMENT_VARIABLES = (
    BUCKET,
    ROLE_ARN,
    PREFIX,
    XGBOOST_IMAGE,
    SKLEARN_IMAGE,
    ALGORITHM_IMAGES,
    ALLOWED_INSTANCE_TYPES,
    DEFAULT_INSTANCE_TYPE,
)


class SettingsError(RuntimeError):
    """The function is deployed without a setting it needs: a deployment fault, not a bad request."""


@dataclass(frozen=True)
class Settings:
    bucket: str
    role_arn: str
    prefix: str
    xgboost_image: str
    sklearn_image: str
    allowed_instance_types: tuple[str, ...]
    default_instance_type: str
    region: str
    algorithm_images: Mapping[str, str] = field(default_factory=dict)

    def image(self, algorithm: str) -> str:
        """The training (and serving) image of a built-in algorithm."""
        return self.xgboost_image if algorithm == DEFAULT else self.algorithm_images[algorithm]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        missing = [name for name in (*ENVIRONMENT_VARIABLES, REGION) if not environ.get(name)]
        if missing:
            raise SettingsError("job launcher: environment variable(s) not set: " + ", ".join(missing))
        allowed = tuple(t.strip() for t in environ[ALLOWED_INSTANCE_TYPES].split(",") if t.strip())
        default = environ[DEFAULT_INSTANCE_TYPE]
        if default not in allowed:
            raise SettingsError(f"job launcher: {DEFAULT_INSTANCE_TYPE}={default!r} is not in {ALLOWED_INSTANCE_TYPES}")
        try:
            images = json.loads(environ[ALGORITHM_IMAGES])
        except ValueError:
            raise SettingsError(f"job launcher: {ALGORITHM_IMAGES} is not JSON") from None
        missing_images = sorted(set(ALGORITHMS) - {DEFAULT} - set(images if isinstance(images, dict) else ()))
        if missing_images:
            raise SettingsError(f"job launcher: {ALGORITHM_IMAGES} has no image for " + ", ".join(missing_images))
        return cls(
            bucket=environ[BUCKET],
            role_arn=environ[ROLE_ARN],
            prefix=environ[PREFIX],
            xgboost_image=environ[XGBOOST_IMAGE],
            sklearn_image=environ[SKLEARN_IMAGE],
            allowed_instance_types=allowed,
            default_instance_type=default,
            region=environ[REGION],
            algorithm_images={name: str(uri) for name, uri in images.items()},
        )
