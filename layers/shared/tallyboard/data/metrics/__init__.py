"""Metrics table: raw points with their pending markers, and what the aggregator folds them
into (rollups, the catalog's counts, the project's counts).

Items (every partition key starts with the workspace and project, so a caller's workspace is
part of every key it can read)::

  point    pk PT#<ws>#<proj>#<metricId>            sk <timestamp:013d>#<pointId>
           gsi1pk PTS#<ws>#<proj>                  gsi1sk <timestamp:013d>#<pointId>
           id, projectId, connectionId, service, metricId, metricName, value, unit, timestamp,
           metadata, createdAt, expiresAt (epoch s, only for plans with limited retention)
  marker   pk PEND#<ws>#<proj>                     sk <metricId>#<timestamp:013d>#<pointId>
           id, metricId, value, timestamp, expiresAt: the point is not folded yet
  folded   pk PEND#<ws>#<proj>                     sk !folded (sorts before every marker)
           count: points folded so far; every fold moves it
  rollup   pk RU#<ws>#<proj>#<metricId>#<interval>  sk <bucketStart:013d>
           bucket, count, sum, min, max, last, lastKey (<timestamp:013d>#<pointId> of `last`),
           v (version), expiresAt (the newest point's, when every point in it expires)
  catalog  pk CAT#<ws>#<proj>                      sk <metricId>
           metricId, metricName, unit, service, connectionId, aggregation (natural),
           pointCount (folded points), createdAt
  span     pk PC#<ws>#<proj>                       sk span<level:02d>#<start:013d>
           count: the project's folded points in 4**level seconds from start

Writes touch nothing shared. A push stores each point with its marker in one transaction of
conditional Puts (50 points a transaction); deterministic ids make a retry fail its conditions
and store nothing, and no two pushes write one item, so concurrent pushes never conflict.

The aggregator (a DynamoDB Streams consumer of marker INSERTs) folds a batch of markers into the
rollups (read, fold in memory, Put on version `v`), the catalog's `pointCount`, the folded
total and the spans (`ADD`), and deletes the markers, in ONE transaction of at most 100 items:
a marker's Delete is conditioned on its existence, so a replayed or retried batch folds nothing
twice.

Reads are exact: rollups or counts plus the pending markers (one consistent Query of the
project's pending partition, bounded by the aggregator's lag), bracketed by two reads of the
folded total; if a fold landed in between, the read is taken again. A ranged project total is
the spans tiling its whole seconds (one BatchGetItem), the sub-second edges of dates given to
the millisecond counted on the project index, and the pending markers: its cost does not depend
on the number of metrics nor on the range. A metric's ranged count uses its month, day and hour rollups and
its sub-hour edges. docs/dynamodb.md lists every request's calls.

Modules: `keys` (the item layout), `rollups` (the maths), `writes` (the push path), `fold`
(the aggregator), `reads` (exact reads).
"""
