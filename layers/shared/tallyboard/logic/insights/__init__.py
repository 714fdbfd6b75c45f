"""A dashboard's tiles computed (docs/api.md): run_insights, snapshot, analyze_refresh_result,
generate_metadata, stream_tiles.

An insight tile (`metric`, `chart`, `table`) reads `config.metricId` over `config.timeRange`
(`<n>h`, `<n>d`, `<n>w` or `<n>y`, n 1-9999; default 30d, ending now) in `config.interval` buckets
(default: hour up to 2 days, day up to 92 days, week up to 2 years, month beyond) with
`config.aggregation` (default: the metric's natural one). Its series comes from the metric's
rollups through logic.metrics.timeseries — the same exact series GET /metrics/{id}/timeseries
answers, so a point is in it the moment its push returns — and its headline `value` folds the
buckets (see InsightTile.value). Text tiles show `config.body`.

Cache: a computed result is kept per tile (data/dashboards/insights.py) with a hash of what decides it
(metric, range, interval, aggregation, project); `refresh=blocking` serves one younger than
CACHE_TTL_SECONDS, `force_blocking` always computes, `force_cache` never does. Cost per request:
one Query of the dashboard (its tiles), one Query of the cached results (not for
force_blocking), and per tile computed the time series' reads (one catalog GetItem and one
rollup Query), then one BatchWriteItem per 25 results computed.

`query:read` is the scope of these routes; it covers the metric reads the tiles make, so the
time series is read as a key with `metrics:read` (the caller's role and projects unchanged).

One module per endpoint (run_insights, snapshot_dashboard, analyze_refresh_result,
generate_metadata, stream_tiles) over `tiles`, the computation they share."""
