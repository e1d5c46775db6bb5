"""IAM enforced on the emulator: every request a lab principal makes is checked against its real policies.

- ``simulator``: the evaluator, AWS's policy evaluation logic as implemented by the maintained
  offline simulator ``@cloud-copilot/iam-simulate`` (npm, pinned in package.json; AGPL-3.0, a
  developer tool that is never deployed or shipped), run as one Node process; plus the operator
  check that turns a condition operator this project has not tested into "unknown".
- ``http``: what an HTTP request to the emulator is, in botocore's terms (service, operation, params).
- ``authorization``: each operation's IAM action, resources and condition context, including the
  implied checks (``iam:PassRole``, ``sagemaker:AddTags`` on creates); an operation without an entry
  is "unknown" by name.
- ``enforcer``: the emulator's front door (WSGI): knows each lab principal by its credentials, reads
  its policies back through the emulator's IAM API, asks the simulator, answers ``AccessDenied`` as
  AWS would, and keeps the tally the rehearsal prints.

AWS documentation followed: "Policy evaluation logic" (IAM User Guide), "IAM JSON policy elements:
Condition operators" (incl. "...IfExists" and "Single-valued vs. multivalued context keys" for
ForAllValues/ForAnyValue with absent keys), "Actions, resources, and condition keys for Amazon
SageMaker AI / Amazon S3" (Service Authorization Reference), "Granting a user permissions to pass a
role to an AWS service", and SageMaker's "Provide permissions for tagging SageMaker AI resources".
"""
