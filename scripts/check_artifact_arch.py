"""Check the `sam build` output against template.yaml: every compiled file (ELF `*.so`) and every
installed wheel's platform tag must match the architecture of the function or layer it ships in,
and every function's handler module must be in its artifact.

`sam build` on an x86_64 machine for an arm64 function installs x86_64 wheels without a word;
Lambda then fails at import time. Run after `sam build` (`make check-arch`)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tallyboard_local import template as tpl

# ELF e_machine values (System V ABI) and the wheel platform-tag suffixes of each architecture.
ELF_MACHINES = {0xB7: "arm64", 0x3E: "x86_64"}
WHEEL_PLATFORM_SUFFIXES = {"arm64": ("aarch64",), "x86_64": ("x86_64",)}
LAMBDA_DEFAULT_ARCHITECTURE = "x86_64"


@dataclass(frozen=True)
class Artifact:
    logical_id: str
    kind: str  # "function" or "layer"
    directory: Path
    architecture: str
    runtime: str | None  # e.g. python3.13


def _single(architectures: list[str], owner: str, problems: list[str]) -> str:
    if len(architectures) != 1:
        problems.append(f"{owner}: expected exactly one architecture, template says {architectures}")
    return architectures[0] if architectures else LAMBDA_DEFAULT_ARCHITECTURE


def _artifact_dir(build_dir: Path, built: dict[str, Any], logical_id: str, uri_key: str) -> Path:
    """Where sam build put the resource: the built template's CodeUri/ContentUri, else its id."""
    uri = built.get("Resources", {}).get(logical_id, {}).get("Properties", {}).get(uri_key)
    return build_dir / uri if isinstance(uri, str) else build_dir / logical_id


def expected_artifacts(
    template: dict[str, Any], built: dict[str, Any], build_dir: Path, problems: list[str]
) -> list[Artifact]:
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    artifacts: list[Artifact] = []
    layers: dict[str, list[str]] = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::LayerVersion":
            continue
        properties, metadata = resource.get("Properties", {}), resource.get("Metadata") or {}
        compatible = properties.get("CompatibleArchitectures") or [LAMBDA_DEFAULT_ARCHITECTURE]
        layers[logical_id] = compatible
        architecture = metadata.get("BuildArchitecture") or _single(compatible, logical_id, problems)
        if architecture not in compatible:
            problems.append(
                f"{logical_id}: BuildArchitecture {architecture} not in CompatibleArchitectures {compatible}"
            )
        runtimes = properties.get("CompatibleRuntimes") or [None]
        directory = _artifact_dir(build_dir, built, logical_id, "ContentUri")
        artifacts.append(Artifact(logical_id, "layer", directory, architecture, runtimes[0]))

    for logical_id, properties in tpl.functions(template).items():
        architectures = properties.get("Architectures") or globals_.get("Architectures")
        architecture = _single(architectures or [LAMBDA_DEFAULT_ARCHITECTURE], logical_id, problems)
        for layer in properties.get("Layers") or globals_.get("Layers") or []:
            name = layer.get("Ref") if isinstance(layer, dict) else None
            if name in layers and architecture not in layers[name]:
                problems.append(f"{logical_id} ({architecture}) uses {name}, compatible with {layers[name]}")
        directory = _artifact_dir(build_dir, built, logical_id, "CodeUri")
        runtime = properties.get("Runtime") or globals_.get("Runtime")
        artifacts.append(Artifact(logical_id, "function", directory, architecture, runtime))
    return artifacts


def elf_architecture(path: Path) -> str:
    """The machine an ELF file is built for, from e_machine (header offset 18)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return "not an ELF file"
    byte_order = "little" if header[5] == 1 else "big"
    machine = int.from_bytes(header[18:20], byte_order)
    return ELF_MACHINES.get(machine, f"e_machine 0x{machine:X}")


def _compiled_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and (p.suffix == ".so" or ".so." in p.name))


def wheel_problems(wheel_file: Path, artifact: Artifact) -> list[str]:
    """A compiled wheel's tags must name the artifact's machine and the runtime's CPython."""
    tags = [
        line.split(":", 1)[1].strip()
        for line in wheel_file.read_text().splitlines()
        if line.startswith("Tag:")
    ]
    found: list[str] = []
    package = wheel_file.parent.name
    suffixes = WHEEL_PLATFORM_SUFFIXES[artifact.architecture]
    for tag in tags:
        interpreter, abi, platform = tag.split("-")
        if platform == "any":
            continue
        if not all(p.endswith(suffixes) for p in platform.split(".")):
            found.append(f"{artifact.logical_id}: {package} is tagged {tag}, not {artifact.architecture}")
        runtime = (artifact.runtime or "").removeprefix("python").replace(".", "")
        if runtime and abi != "abi3" and interpreter != f"cp{runtime}":
            found.append(f"{artifact.logical_id}: {package} is tagged {tag}, not for {artifact.runtime}")
    return found


def handler_problems(artifact: Artifact, template: dict[str, Any]) -> list[str]:
    """The handler module, resolved like the Python runtime does ('a/b.fn' imports a.b), and every
    source file of the function's CodeUri, must be in the artifact."""
    properties = template["Resources"][artifact.logical_id]["Properties"]
    handler = properties.get("Handler") or template["Globals"]["Function"]["Handler"]
    module, _, _ = handler.rpartition(".")
    relative = Path(*module.replace("/", ".").split(".")).with_suffix(".py")
    found = []
    if not (artifact.directory / relative).is_file():
        found.append(f"{artifact.logical_id}: handler {handler} has no {relative} in its artifact")
    source = tpl.ROOT / properties["CodeUri"]
    for path in sorted(source.rglob("*.py")):
        if "__pycache__" not in path.parts and not (artifact.directory / path.relative_to(source)).is_file():
            found.append(f"{artifact.logical_id}: {path.relative_to(tpl.ROOT)} missing from its artifact")
    return found


def check(build_dir: Path, template_path: Path) -> tuple[list[str], str]:
    problems: list[str] = []
    template = tpl.load(template_path)
    built_template = build_dir / "template.yaml"
    if not built_template.is_file():
        return [f"{built_template} not found: run `sam build` first"], ""
    artifacts = expected_artifacts(template, tpl.load(built_template), build_dir, problems)

    compiled_seen, wheels_seen = 0, 0
    owned: set[Path] = set()
    for artifact in artifacts:
        if not artifact.directory.is_dir():
            problems.append(f"{artifact.logical_id}: no build output at {artifact.directory}")
            continue
        for path in _compiled_files(artifact.directory):
            owned.add(path)
            compiled_seen += 1
            machine = elf_architecture(path)
            if machine != artifact.architecture:
                shown = path.relative_to(build_dir)
                problems.append(f"{artifact.logical_id}: {shown} is {machine}, not {artifact.architecture}")
        for wheel_file in sorted(artifact.directory.rglob("*.dist-info/WHEEL")):
            wheels_seen += 1
            problems.extend(wheel_problems(wheel_file, artifact))
        if artifact.kind == "function":
            problems.extend(handler_problems(artifact, template))
    for path in _compiled_files(build_dir):
        if path not in owned:
            problems.append(f"{path.relative_to(build_dir)}: compiled file outside every template resource")

    architectures = sorted({a.architecture for a in artifacts})
    summary = (
        f"artifacts ok: {len(artifacts)} functions/layers ({', '.join(architectures)}), "
        f"{compiled_seen} compiled files and {wheels_seen} wheels match, every handler present"
    )
    return problems, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=tpl.ROOT / ".aws-sam" / "build")
    parser.add_argument("--template", type=Path, default=tpl.TEMPLATE_PATH)
    args = parser.parse_args(argv)
    problems, summary = check(args.build_dir.resolve(), args.template.resolve())
    if problems:
        print(f"artifact check FAILED ({len(problems)} problems):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
