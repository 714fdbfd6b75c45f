"""Dashboards, their widgets, tile results and snapshots in the entities table, by job:
`dashboards` (the items, list, get, create), `widgets` (a widget's own writes), `tiles` (tile
operations and adding or removing widgets), `updates` (PATCH and bulk tags), `templates` (whole
dashboards from a template, the unlisted lock), `insights` (tile results and snapshots).
docs/dynamodb.md lists every request's calls.

A dashboard's tile order is its `tileOrder` list; every change of its set of tiles bumps
`tilesVersion`, and writes that replace the list are conditional on the version they read
(optimistic: a concurrent change cancels them, and the caller retries or answers 409).

| request                          | operations                         | items                           |
|----------------------------------|------------------------------------|---------------------------------|
| PATCH /dashboards/{id}           | Query, UpdateItem or Transact (1)  | dashboard (+ old and new theme) |
| POST …/copy_tile                 | Query, BatchGet, TransactWrite (2) | new widget, target dashboard    |
| PATCH …/move_tile                | Query, Query, TransactWrite (3)    | widget out and in, dashboards   |
| POST …/reorder_tiles             | Query, UpdateItem                  | dashboard (tilesVersion)        |
| POST …/bulk_update_tags          | BatchGet, TransactWrite (4)        | every dashboard named           |
| POST …/create_from_template_json | TransactWrite                      | dashboard + tiles               |
| POST …/create_unlisted_dashboard | TransactWrite (5)                  | lock + dashboard + tiles        |

(1) a transaction when `data_color_theme_id` changes: the dashboard (conditional on the theme it
had), usageCount +1 on the new theme (which must exist in the dashboard's project), -1 on the
old one. (2) Put widget + target dashboard (not deleted, room for one more, order appended).
(3) Delete + Put of the widget under its new dashboard, source (version) and target (room)
dashboards: the tile is never on both or neither. (4) all-or-nothing, each conditional on the
tags it read. (5) the lock's attribute_not_exists(pk) makes a second dashboard for the tag in the
same project fail, whatever the concurrency. The lock is per project (the document's "team"):
a workspace-wide lock let a key of one project learn of another project's dashboard.
"""
