"""Fixes to moto 5.2.5 for the local stack: DynamoDB's semantics, kept; moto's accidental costs
and races, removed. Installed once per process by LocalStack.start."""

from __future__ import annotations

import functools
import threading
from typing import Any


def apply() -> None:
    make_dynamodb_writes_atomic()
    copy_each_table_once()
    query_one_partition()
    forget_dynamodb_instances()
    list_moto_modules_once()


def list_moto_modules_once() -> None:
    """moto's server finds the backend of every request by listing its own package directory
    (os.listdir + an isdir per entry, ~9 % of a local request's time): the list never changes."""
    from moto import backends

    if getattr(backends, "_tallyboard_listed_once", False):
        return
    listed = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: listed
    backends._tallyboard_listed_once = True


_WRITE_OPERATIONS = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
# moto applies a transaction item by item: a read in between would see half of it. DynamoDB
# commits a transaction at once, so reads take the same lock (the aggregator's fold moves a point
# from its pending marker to its rollup in one transaction, and exact reads rely on that).
_READ_OPERATIONS = ("get_item", "query", "batch_get_item", "transact_get_items")


def make_dynamodb_writes_atomic() -> None:
    """DynamoDB applies a conditional write atomically; moto's threaded server does not (two
    concurrent `ADD ... IF requests < :limit` can both pass, and the item a write returns is
    read after the lock-free update), which would make the exact rate limit and every
    create-only write racy locally. One lock around each write request restores it."""
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_tallyboard_atomic", False):
        return
    lock = threading.RLock()

    def locked(method: Any) -> Any:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return wrapper

    for name in (*_WRITE_OPERATIONS, *_READ_OPERATIONS):
        setattr(DynamoHandler, name, locked(getattr(DynamoHandler, name)))
    DynamoHandler._tallyboard_atomic = True  # type: ignore[attr-defined]


def copy_each_table_once() -> None:
    """moto rolls a failed transaction back by deep-copying every table it touches before it
    starts: O(table) per push, so the local stack slowed as its tables grew. Writes already run
    one at a time (make_dynamodb_writes_atomic), so an undo log of the transaction's own items
    restores the same state: the items it names are saved before and put back on failure."""
    import copy

    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models.table import StreamShard

    if getattr(dynamodb_models, "_bench_copy_once", False):
        return
    local = threading.local()

    class NoTableCopies:
        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        def deepcopy(self, value: Any, memo: Any = None) -> Any:
            if getattr(local, "undo", False) and isinstance(value, dynamodb_models.Table):
                return value  # moto's "backup" is the live table: the undo log restores it
            return copy.deepcopy(value, memo)

    original = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = _saved_items(self, transact_items)
        local.undo = True
        try:
            return original(self, transact_items)
        except Exception:
            _undo(saved)
            raise
        finally:
            local.undo = False

    # A table's stream is shared by its copies: a stream reader's shard iterator must see what is
    # written next whatever moto copies (and the stream is never copied per write).
    StreamShard.__deepcopy__ = lambda self, memo: self  # type: ignore[method-assign]
    dynamodb_models.copy = NoTableCopies()
    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items
    dynamodb_models._bench_copy_once = True


def _saved_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(table, hash key, range key, the item or None) for each item the transaction names."""
    import copy

    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for entry in transact_items:
        ((kind, op),) = entry.items()
        table = backend.tables.get(op.get("TableName"))
        key = op.get("Item") if kind == "Put" else op.get("Key")
        if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
            continue
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
        if table.range_key_attr and range_key is None:
            continue
        current = table.get_item(hash_key, range_key)
        saved.append((table, hash_key, range_key, copy.deepcopy(current) if current else None))
    return saved


def _undo(saved: list[tuple[Any, ...]]) -> None:
    """Put back the items _saved_items saved, the last saved first."""
    for table, hash_key, range_key, item in reversed(saved):
        if item is None:
            if range_key is not None:
                table.items.get(hash_key, {}).pop(range_key, None)
            else:
                table.items.pop(hash_key, None)
        elif range_key is not None:
            table.items[hash_key][range_key] = item
        else:
            table.items[hash_key] = item


def query_one_partition() -> None:
    """moto: a Query sorts every item of the table (525k here: seconds per call, past the
    client's read timeout; 40k: ~0.8 s per index Query). A base-table Query looks in the queried
    partition only, as DynamoDB does; an index Query walks the items unsorted (moto sorts what
    matches by the index's keys and then the table's, whatever order it was handed)."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_bench_partition_query", False):
        return
    local = threading.local()
    original_query, original_all_items = Table.query, Table.all_items

    def all_items(self: Any) -> Any:
        partition = getattr(local, "partition", None)
        if partition is not None and partition[0] is self:
            return list(partition[1].values())
        index = getattr(local, "index", None)
        if index is not None and index[0] is self:
            wanted = [(n, v) for n, v in index[1] if n is not None and v is not None]
            partitions = (
                [self.items.values()]
                if not self.range_key_attr
                else [p.values() for p in self.items.values()]
            )
            return [item for items in partitions for item in items if _has(item, wanted)]
        return original_all_items(self)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name:
            wanted = kwargs.get("hash_key_conditions") or [
                (_index_hash_attribute(self, index_name), hash_key)
            ]
            local.index = (self, wanted)
            try:
                return original_query(self, hash_key, *args, **kwargs)
            finally:
                local.index = None
        if hash_key is None or not self.range_key_attr:
            return original_query(self, hash_key, *args, **kwargs)
        local.partition = (self, dict(self.items[hash_key]) if hash_key in self.items else {})
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            local.partition = None

    Table.all_items, Table.query = all_items, query
    Table._bench_partition_query = True


def _index_hash_attribute(table: Any, index_name: str) -> str | None:
    for index in table.all_indexes():
        if index.name == index_name:
            return next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
    return None  # moto answers the unknown index itself


def _has(item: Any, wanted: list[tuple[str, Any]]) -> bool:
    """The item carries each (attribute, value) of an index's hash key (compared as raw values:
    moto's own comparison re-casts both sides per call)."""
    for name, value in wanted:
        held = item.attrs.get(name)
        if held is None or held.type != value.type or held.value != value.value:
            return False
    return True


def forget_dynamodb_instances() -> None:
    """moto appends every model object it makes to its class's `instances_tracked` (for its
    /moto-api/data.json view) and drops them only on a reset. For DynamoDB that is every item
    version a write replaces and, as a transaction deep-copies each table it touches to roll back,
    a copy of whole tables per transaction: the local stack grew by the size of the tables on
    every push, with nothing left that used the copies. DynamoDB's objects are not tracked."""
    from moto.core.common_models import BaseModel

    if getattr(BaseModel, "_tallyboard_untracked", False):
        return
    track = BaseModel.__new__

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        if cls.__module__.startswith("moto.dynamodb."):
            return object.__new__(cls)
        return track(cls, *args, **kwargs)

    BaseModel.__new__ = staticmethod(new)  # type: ignore[assignment]
    BaseModel._tallyboard_untracked = True  # type: ignore[attr-defined]
