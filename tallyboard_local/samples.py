"""events/*.json: the sample events `sam local invoke -e` takes. Each belongs to the function
whose handler lives in functions/<its name>/, and uses placeholder ids that tests and benchmarks
swap for a real workspace's."""

from __future__ import annotations

from tallyboard_local import template as tpl

EVENTS_DIR = tpl.ROOT / "events"
SAMPLE_KEY = "tb_sample_0000000000000000000000000000000000000"
WORKSPACE, PROJECT, USER, KEY = "ws_sample", "proj_sample", "user_sample", "key_sample"


def function_by_event_name() -> dict[str, str]:
    """events/<dir>.json → the logical id of the function whose handler is functions/<dir>/."""
    return {
        tpl.handler_location(properties)[0].parent.name: logical_id
        for logical_id, properties in tpl.functions().items()
    }
