"""sagemaker-study-env: a disposable SageMaker lab for the AWS ML Specialty study plan, as CDK constructs."""
