#!/usr/bin/env python3
"""CDK entry point: `make synth` / `npx cdk synth` run this. A bad context value exits with one line.

So does a construct's refusal (constructs raise ``ValueError("<Owner> <prop>=<value>: <rule>")``), e.g.
a time-to-live whose stack synthesizer names no CloudFormation execution role.
"""

import sys

from study_env.app import create_app

try:
    app, _config, _stacks = create_app()
except ValueError as err:  # ContextError included
    print(f"error: {err}", file=sys.stderr)
    sys.exit(1)
app.synth()
