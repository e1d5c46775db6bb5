"""An architecture diagram (Mermaid, which GitHub renders) generated from the synthesized app.

One box per stack, one node per top-level construct with the resource types it creates, and an arrow
for each reference between constructs (``Ref``/``Fn::GetAtt`` inside a stack, ``Fn::ImportValue``
across stacks). CDK's own helpers (custom-resource providers) and policy plumbing are left out.

    python -m tools.diagram cdk.out                    # print the Mermaid block
    python -m tools.diagram cdk.out --into docs/architecture.md  # replace it between the markers
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from tools.assembly import CloudAssembly, StackArtifact

START_MARKER = "<!-- diagram:start -->"
END_MARKER = "<!-- diagram:end -->"
# Resources that only wire others together; they would crowd every node.
PLUMBING = {
    "AWS::CDK::Metadata",
    "AWS::IAM::Policy",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::Lambda::Permission",
    "AWS::Lambda::LayerVersion",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCGatewayAttachment",
}
# Top-level construct ids CDK adds for its own helpers (singleton providers).
_CDK_HELPER_RE = re.compile(r"^(Custom::|AWS[0-9a-f]{32}|LogRetention[0-9a-f]{32}|BootstrapVersion)")


def _construct(stack: StackArtifact, logical_id: str) -> str | None:
    """The top-level construct id of a resource, or None for CDK helpers and unnamed resources."""
    parts = stack.construct_paths.get(logical_id, "").strip("/").split("/")
    if len(parts) < 2 or _CDK_HELPER_RE.match(parts[1]):
        return None
    return parts[1]


def _references(value: Any) -> Iterator[tuple[str, str]]:
    """("ref", logical id) and ("import", export name) for every reference inside ``value``."""
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield "ref", value["Ref"]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            yield "ref", target[0] if isinstance(target, list) else target.split(".")[0]
        if "Fn::ImportValue" in value and isinstance(value["Fn::ImportValue"], str):
            yield "import", value["Fn::ImportValue"]
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _short_type(resource_type: str) -> str:
    parts = resource_type.split("::")
    return " ".join(parts[1:]) if parts[0] == "AWS" else parts[-1]


def _node_id(stack: StackArtifact, construct: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{stack.artifact_id}_{construct}")


def _nodes(assembly: CloudAssembly) -> tuple[dict[str, Counter], dict[str, StackArtifact], dict[str, str]]:
    """Resource types per node, each node's stack, and the node behind each named export."""
    types: dict[str, Counter] = defaultdict(Counter)
    owners: dict[str, StackArtifact] = {}
    exports: dict[str, str] = {}
    for stack in assembly.stacks:
        for logical_id, resource in stack.resources.items():
            construct = _construct(stack, logical_id)
            if construct is not None and resource["Type"] not in PLUMBING:
                types[_node_id(stack, construct)][resource["Type"]] += 1
                owners[_node_id(stack, construct)] = stack
        for output in stack.outputs.values():
            name = (output.get("Export") or {}).get("Name")
            refs = [target for kind, target in _references(output.get("Value")) if kind == "ref"]
            exporter = _construct(stack, refs[0]) if refs and refs[0] in stack.resources else None
            if isinstance(name, str) and exporter:
                exports[name] = _node_id(stack, exporter)
    return types, owners, exports


def _edges(assembly: CloudAssembly, exports: dict[str, str]) -> set[tuple[str, str, str]]:
    """(source, target, label) for each reference from one construct to another."""
    edges: set[tuple[str, str, str]] = set()
    for stack in assembly.stacks:
        for logical_id, resource in stack.resources.items():
            construct = _construct(stack, logical_id)
            if construct is None:
                continue
            source = _node_id(stack, construct)
            for kind, target in _references(resource.get("Properties", {})):
                if kind == "import" and exports.get(target, source) != source:
                    edges.add((source, exports[target], "cross-stack"))
                elif kind == "ref" and target in stack.resources:
                    target_construct = _construct(stack, target)
                    if target_construct is not None and target_construct != construct:
                        edges.add((source, _node_id(stack, target_construct), ""))
    return edges


def render(assembly: CloudAssembly) -> str:
    types, owners, exports = _nodes(assembly)
    lines = ["```mermaid", "flowchart LR"]
    for stack in assembly.stacks:
        nodes = sorted(n for n in types if owners[n] is stack)
        lines.append(f'  subgraph {_node_id(stack, "stack")}["{stack.stack_name}"]')
        for node in nodes:
            construct = node[len(re.sub(r"[^A-Za-z0-9_]", "_", stack.artifact_id)) + 1 :]
            kinds = ", ".join((f"{n}× " if n > 1 else "") + _short_type(t) for t, n in sorted(types[node].items()))
            lines.append(f'    {node}["<b>{construct}</b><br/>{kinds}"]')
        lines.append("  end")
    for source, target, label in sorted(_edges(assembly, exports)):
        if source in types and target in types:
            lines.append(f"  {source} -->|{label}| {target}" if label else f"  {source} --> {target}")
    lines.append("```")
    return "\n".join(lines)


def replace_between_markers(document: str, diagram: str) -> str:
    if START_MARKER not in document or END_MARKER not in document:
        raise ValueError(f"no {START_MARKER} ... {END_MARKER} markers to put the diagram between")
    head, rest = document.split(START_MARKER, 1)
    _, tail = rest.split(END_MARKER, 1)
    return f"{head}{START_MARKER}\n{diagram}\n{END_MARKER}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.diagram", description=__doc__.split("\n")[0])
    parser.add_argument("assembly", nargs="?", default="cdk.out")
    parser.add_argument("--into", help="rewrite the diagram between the markers of this Markdown file")
    args = parser.parse_args(argv)
    diagram = render(CloudAssembly(args.assembly))
    if args.into:
        with open(args.into) as fh:
            text = fh.read()
        with open(args.into, "w") as fh:
            fh.write(replace_between_markers(text, diagram))
    else:
        print(diagram)
    return 0


if __name__ == "__main__":
    sys.exit(main())
