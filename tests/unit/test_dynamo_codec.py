"""The shared package (de)serialises DynamoDB items itself, without boto3 (data/dynamo.py): it
must write exactly what boto3's TypeSerializer writes and read back what it reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from tallyboard.data import dynamo

ITEM: dict[str, Any] = {
    "pk": "WS#ws_1",
    "count": 42,
    "negative": -7,
    "big": 10**37,
    "decimal": Decimal("12.5"),
    "flag": True,
    "off": False,
    "nested": {"a": [1, "two", {"three": None}], "empty": {}, "list": []},
    "blob": b"\x00\x01binary",
    "tags": {"b", "a"},
    "numbers": {1, 2, 3},
    "nothing": None,  # dropped: an absent attribute, not NULL
}


def test_items_are_written_as_boto3_writes_them() -> None:
    serializer = TypeSerializer()
    expected = {k: serializer.serialize(v) for k, v in ITEM.items() if v is not None}
    written = dynamo.to_item(ITEM)

    assert set(written) == set(expected)
    for name, value in written.items():
        ((kind, members),) = value.items()
        if kind in {"SS", "NS"}:  # sets: the same members, in any order
            assert list(expected[name]) == [kind] and sorted(expected[name][kind]) == sorted(members)
        else:
            assert value == expected[name], name


def test_items_read_back_as_plain_values() -> None:
    item = dynamo.from_item(dynamo.to_item(ITEM))

    assert item["count"] == 42 and isinstance(item["count"], int)
    assert item["big"] == 10**37 and isinstance(item["big"], int)
    assert item["decimal"] == 12.5 and isinstance(item["decimal"], float)
    assert item["flag"] is True and item["off"] is False
    assert item["nested"] == {"a": [1, "two", {"three": None}], "empty": {}, "list": []}
    assert item["blob"] == b"\x00\x01binary"
    assert sorted(item["tags"]) == ["a", "b"] and sorted(item["numbers"]) == [1, 2, 3]
    assert "nothing" not in item


def _plain(value: Any) -> Any:
    """boto3's reading with numbers as int or float and sets as lists, as items are used here."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


def test_reads_match_boto3s_deserializer() -> None:
    wire = TypeSerializer().serialize
    deserializer = TypeDeserializer()
    for value in (0, -3, Decimal("0.1"), Decimal("1E+100"), "text", True, None, {"m": [Decimal("1.5"), "x"]}):
        ours = dynamo.from_item({"v": wire(value)})["v"]
        theirs = _plain(deserializer.deserialize(wire(value)))
        assert ours == theirs and type(ours) is type(theirs), value


def test_floats_are_stored_exactly_as_their_shortest_repr() -> None:
    assert dynamo.to_item({"v": 0.1})["v"] == {"N": "0.1"}
    assert dynamo.to_item({"v": 1e125})["v"] == {"N": "1E+125"}
    assert dynamo.from_item(dynamo.to_item({"v": 0.1}))["v"] == 0.1
    # Below DynamoDB's smallest magnitude, a derived value rounds to the 0 it nearly is.
    assert dynamo.to_item({"v": 1e-200})["v"] == {"N": "0"}
    assert dynamo.to_item({"v": -0.0})["v"] == {"N": "0"}


@pytest.mark.parametrize("value", [float("inf"), Decimal("NaN"), Decimal("1" * 39), object(), set()])
def test_what_dynamodb_cannot_hold_fails_before_the_call(value: Any) -> None:
    with pytest.raises((TypeError, ArithmeticError)):
        dynamo.to_item({"v": value})
