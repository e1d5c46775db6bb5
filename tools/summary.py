"""Prints what `cdk synth` produced: each stack with its resources counted by type.

Usage: python -m tools.summary cdk.out
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter


def summarize(assembly_dir: str) -> str:
    manifest_path = os.path.join(assembly_dir, "manifest.json")
    with open(manifest_path) as fh:
        manifest = json.load(fh)
    lines = []
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        props = artifact.get("properties", {})
        with open(os.path.join(assembly_dir, props["templateFile"])) as fh:
            template = json.load(fh)
        resources = template.get("Resources", {})
        counts = Counter(r["Type"] for r in resources.values())
        name = props.get("stackName") or artifact.get("displayName")
        lines.append(f"{name}: {len(resources)} resources")
        for rtype, n in sorted(counts.items()):
            lines.append(f"  {n:3d}  {rtype}")
        # CDK names the outputs it adds for cross-stack references "ExportsOutput...": count, don't list.
        outputs = sorted(o for o in template.get("Outputs", {}) if not o.startswith("ExportsOutput"))
        exports = len(template.get("Outputs", {})) - len(outputs)
        if outputs or exports:
            lines.append("  outputs: " + ", ".join(outputs) + (f" (+{exports} cross-stack exports)" if exports else ""))
    if not lines:
        raise SystemExit(f"{assembly_dir}: no stack templates found; did `cdk synth` run?")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    print(summarize(argv[1] if len(argv) > 1 else "cdk.out"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
