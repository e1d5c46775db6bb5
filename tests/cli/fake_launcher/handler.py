"""A stand-in for lambda/launcher/handler.py in the CLI tests: same entry point and contract.

It reads its configuration from the environment (as the real launcher does, from variables the Jobs
stack sets) and starts real SageMaker jobs (moto in the tests), so the CLI's waiting is exercised.
"""

import itertools
import os

import boto3

_counter = itertools.count(1)
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def handler(event, context):
    action = event.get("action")
    prefix, bucket, role = os.environ["LAB_PREFIX"], os.environ["STUDY_BUCKET"], os.environ["EXECUTION_ROLE_ARN"]
    if action not in ("process", "train", "tune", "transform"):
        return {"ok": False, "error": {"field": "action", "message": f"unknown action {action!r}"}}
    if event.get("instance_type", "ml.m5.large") not in ("ml.m5.large", "ml.t3.medium"):
        return {"ok": False, "error": {"field": "instance_type", "message": "not in allowed_instance_types"}}
    sm = boto3.client("sagemaker")
    name = f"{prefix}-{action}-{next(_counter)}"
    s3 = f"s3://{bucket}/"
    resources = {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5}
    stop = {"MaxRuntimeInSeconds": 3600}
    if action == "process":
        arn = sm.create_processing_job(
            ProcessingJobName=name, RoleArn=role, StoppingCondition=stop,
            ProcessingResources={"ClusterConfig": resources},
            AppSpecification={"ImageUri": IMAGE},
        )["ProcessingJobArn"]
    elif action == "train":
        arn = sm.create_training_job(
            TrainingJobName=name, RoleArn=role, StoppingCondition=stop, ResourceConfig=resources,
            AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            HyperParameters=event.get("hyperparameters", {"max_depth": "5"}),
            OutputDataConfig={"S3OutputPath": s3 + "models/training/"},
        )["TrainingJobArn"]
    elif action == "tune":
        arn = sm.create_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name,
            HyperParameterTuningJobConfig={
                "Strategy": event.get("strategy", "Bayesian"),
                "ResourceLimits": {"MaxNumberOfTrainingJobs": event.get("max_jobs", 20),
                                   "MaxParallelTrainingJobs": event.get("max_parallel_jobs", 4)},
            },
            TrainingJobDefinition={
                "RoleArn": role, "StoppingCondition": stop, "ResourceConfig": resources,
                "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
                "OutputDataConfig": {"S3OutputPath": s3 + "models/training/"},
            },
        )["HyperParameterTuningJobArn"]
    else:
        source = event.get("training_job_name") or event.get("model_name")
        if not source:
            return {"ok": False, "error": {"field": "training_job_name", "message": "name a model or training job"}}
        arn = sm.create_transform_job(
            TransformJobName=name, ModelName=source,
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": s3 + "data/processed/test/"}}},
            TransformOutput={"S3OutputPath": s3 + "output/predictions/"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )["TransformJobArn"]
    return {"ok": True, "job_name": name, "arn": arn}
