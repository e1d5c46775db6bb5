"""``python -m study_env.cli``: the study CLI."""

import sys

from study_env.cli.entry import main

sys.exit(main())
