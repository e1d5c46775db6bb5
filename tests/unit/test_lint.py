"""cfn-lint over every synthesized template of the default app (config: .cfnlintrc.yaml)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.synthesis import ROOT


def test_cfn_lint_is_clean(synth):
    cfn_lint = os.path.join(os.path.dirname(sys.executable), "cfn-lint")
    result = subprocess.run(
        [cfn_lint, "--format", "parseable", *synth.template_paths()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""
