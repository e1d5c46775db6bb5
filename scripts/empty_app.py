"""The baseline for `make bench`: a CDK app with one empty stack, same toolchain as the lab."""

import aws_cdk as cdk

app = cdk.App()
cdk.Stack(app, "Empty")
app.synth()
