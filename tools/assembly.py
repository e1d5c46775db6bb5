"""Reading a synthesized cloud assembly (``cdk.out``): its stacks, templates and dependencies."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class StackArtifact:
    artifact_id: str
    stack_name: str
    template_path: str
    dependencies: tuple[str, ...]
    metadata: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def template(self) -> dict:
        with open(self.template_path) as fh:
            return json.load(fh)

    @property
    def resources(self) -> dict[str, dict]:
        return self.template.get("Resources", {})

    def resources_of(self, resource_type: str) -> dict[str, dict]:
        return {k: v for k, v in self.resources.items() if v.get("Type") == resource_type}

    @cached_property
    def construct_paths(self) -> dict[str, str]:
        """Logical id → construct path (``/Stack/Construct/.../Resource``) from the assembly metadata."""
        return {
            entry["data"]: path
            for path, entries in self.metadata.items()
            for entry in entries
            if entry.get("type") == "aws:cdk:logicalId"
        }

    @property
    def outputs(self) -> dict[str, dict]:
        return self.template.get("Outputs", {})


class CloudAssembly:
    """The stacks of one ``cdk.out`` folder, in the order the manifest lists them."""

    def __init__(self, directory: str) -> None:
        manifest_path = os.path.join(directory, "manifest.json")
        if not os.path.exists(manifest_path):
            raise FileNotFoundError(f"{directory}: no manifest.json; did `cdk synth` run?")
        with open(manifest_path) as fh:
            manifest = json.load(fh)
        self.directory = directory
        artifacts = manifest.get("artifacts", {})
        stack_ids = {k for k, a in artifacts.items() if a.get("type") == "aws:cloudformation:stack"}
        self.stacks: list[StackArtifact] = [
            StackArtifact(
                artifact_id=artifact_id,
                stack_name=artifact.get("properties", {}).get("stackName") or artifact_id,
                template_path=os.path.join(directory, artifact["properties"]["templateFile"]),
                dependencies=tuple(sorted(d for d in artifact.get("dependencies", []) if d in stack_ids)),
                metadata=self._metadata(artifact),
            )
            for artifact_id, artifact in artifacts.items()
            if artifact_id in stack_ids
        ]
        if not self.stacks:
            raise FileNotFoundError(f"{directory}: no stack templates found; did `cdk synth` run?")

    def _metadata(self, artifact: dict) -> dict:
        metadata = dict(artifact.get("metadata", {}))
        extra = artifact.get("additionalMetadataFile")
        if extra:
            with open(os.path.join(self.directory, extra)) as fh:
                metadata.update(json.load(fh))
        return metadata

    def stack(self, artifact_id: str) -> StackArtifact:
        for stack in self.stacks:
            if stack.artifact_id == artifact_id:
                return stack
        raise KeyError(artifact_id)
