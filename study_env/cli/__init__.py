"""The study CLI: run the study plan's jobs on the deployed lab, watch them, and clean up.

    python -m study_env.cli status            # what is deployed, what is running, what bills
    python -m study_env.cli train --wait      # one launcher request, then follow the job
    python -m study_env.cli pipeline          # Day 13-14: process, train, tune, transform, endpoint
    python -m study_env.cli cleanup           # stop the lab's running jobs, delete its endpoints

(also installed as the ``study`` command by ``pip install -e .``). The lab is found from stack
outputs; requests go to the launcher function (see docs/cli.md).

- ``lab``: finding the deployed lab, reaching the launcher, waiting for SageMaker
- ``parser``: the arguments; ``commands``: status, jobs, start, invoke, cleanup
- ``pipeline``: Day 13-14 end to end; ``serving``: the serving stack through the CDK CLI
- ``main``: the entry point
"""

from study_env.cli.entry import main, run

__all__ = ["main", "run"]
