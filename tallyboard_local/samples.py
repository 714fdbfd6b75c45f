"""events/<domain>/<endpoint>.json: the sample events `sam local invoke -e` takes. Each belongs
to the function whose handler lives in functions/<domain>/<endpoint>/, and uses placeholder ids
that tests and benchmarks swap for a real workspace's."""

from __future__ import annotations

from pathlib import Path

from tallyboard_local import template as tpl

EVENTS_DIR = tpl.ROOT / "events"
SAMPLE_KEY = "tb_sample_0000000000000000000000000000000000000"
WORKSPACE, PROJECT, USER, KEY = "ws_sample", "proj_sample", "user_sample", "key_sample"


FUNCTIONS_DIR = tpl.ROOT / "functions"


def event_files() -> list[Path]:
    return sorted(EVENTS_DIR.glob("*/*.json"))


def event_name(path: Path) -> str:
    """events/keys/list_api_keys.json → keys/list_api_keys."""
    return path.relative_to(EVENTS_DIR).with_suffix("").as_posix()


def function_by_event_name() -> dict[str, str]:
    """<domain>/<endpoint> → the logical id of the function whose handler is in
    functions/<domain>/<endpoint>/."""
    return {
        tpl.handler_location(properties)[0].parent.relative_to(FUNCTIONS_DIR).as_posix(): logical_id
        for logical_id, properties in tpl.functions().items()
    }
