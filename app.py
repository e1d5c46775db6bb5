#!/usr/bin/env python3
"""CDK entry point: `make synth` / `npx cdk synth` run this. A bad context value exits with one line."""

import sys

from study_env.app import create_app
from study_env.config import ContextError

try:
    app, _config, _stacks = create_app()
except ContextError as err:
    print(f"error: {err}", file=sys.stderr)
    sys.exit(1)
app.synth()
