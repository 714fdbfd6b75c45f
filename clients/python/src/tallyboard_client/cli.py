"""`tallyboard`: the command line on the SDK.

Exit codes (as gh): 0 ok, 1 error, 2 cancelled (Ctrl-C), 4 authentication (no key, or a key the
API refused). Only click is imported at start-up; the SDK (httpx) and rich load when a command
runs, so `tallyboard --help` stays fast."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from tallyboard_client._errors import AuthenticationError, ConfigurationError, TallyboardError

EXIT_ERROR, EXIT_CANCELLED, EXIT_AUTH = 1, 2, 4
EXPORT_TYPES = ("metrics", "connections", "dashboards", "auditLogs")
RANGES = ("last_7_days", "last_30_days", "last_90_days", "last_year", "all_time")


class State:
    def __init__(self, profile: str | None):
        self.profile = profile
        self._client: Any = None

    def settings(self, project_id: str | None = None) -> Any:
        from tallyboard_client import config

        return config.resolve(self.profile, project_id)

    def client(self, project_id: str | None = None) -> Any:
        from tallyboard_client import Tallyboard

        settings = self.settings(project_id)
        if not settings.api_key:
            raise ConfigurationError(
                "No API key: run `tallyboard login`, or set TALLYBOARD_API_KEY"
                + (f" (profile {settings.profile!r} has none)" if settings.profile else "")
            )
        return Tallyboard(settings.api_key, settings.base_url, project_id=settings.project_id)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def as_json(func: Callable[..., Any]) -> Callable[..., Any]:
    """--json on every command: the API's JSON on stdout, for scripts."""
    return click.option("--json", "as_json", is_flag=True, help="Print the API's JSON (for scripts).")(func)


def project_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--project",
        "-p",
        "project_id",
        metavar="ID",
        help="Project id (default: TALLYBOARD_PROJECT_ID, else the profile's).",
    )(func)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def raw(items: Iterable[Any]) -> list[dict[str, Any]]:
    return [item.raw for item in items]


def table(
    rows: list[Any], columns: list[tuple[str, Callable[[Any], Any]]], empty: str = "Nothing found."
) -> None:
    if not rows:
        click.echo(empty)
        return
    from rich.table import Table

    grid = Table(box=None, pad_edge=False, header_style="bold")
    for index, (header, _) in enumerate(columns):
        grid.add_column(header, overflow="fold", no_wrap=index == 0)  # ids stay whole, to copy
    for row in rows:
        grid.add_row(*("" if (v := get(row)) is None else str(v) for _, get in columns))
    _console().print(grid)


def when(ms: int | None) -> str:
    if not ms:
        return ""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def take(iterator: Iterable[Any], limit: int | None) -> list[Any]:
    import itertools

    return list(itertools.islice(iterator, limit)) if limit else list(iterator)


pass_state = click.make_pass_decorator(State)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--profile", metavar="NAME", help="Config profile (default: TALLYBOARD_PROFILE, else 'default')."
)
@click.version_option(package_name="tallyboard-client", prog_name="tallyboard")
@click.pass_context
def cli(ctx: click.Context, profile: str | None) -> None:
    """Tallyboard from the command line.

    Start with `tallyboard login`. TALLYBOARD_API_KEY, TALLYBOARD_BASE_URL and
    TALLYBOARD_PROJECT_ID override the profile. Every command takes --json.

    Exit codes: 0 ok, 1 error, 2 cancelled, 4 authentication.
    """
    ctx.obj = State(profile)


# ------------------------------------------------------------------------------------- login


@cli.command()
@click.option("--api-key", metavar="KEY", help="The key (prompted for when not given).")
@click.option("--base-url", metavar="URL", help="API base URL ending in /v1 (default: local `make run`).")
@project_option
@as_json
@pass_state
def login(
    state: State, api_key: str | None, base_url: str | None, project_id: str | None, as_json: bool
) -> None:
    """Verify a key against the API and store it in the profile (config.toml, mode 0600)."""
    from tallyboard_client import DEFAULT_BASE_URL, Tallyboard, config

    api_key = api_key or click.prompt("API key", hide_input=True, err=True)
    base_url = (base_url or state.settings().base_url or DEFAULT_BASE_URL).rstrip("/")
    with Tallyboard(api_key.strip(), base_url) as client:
        client.team.list(limit=1).first_page()  # any valid key may read the team: 401 if not
        if not project_id:
            projects = client.projects.list(limit=2).first_page().items
            project_id = projects[0].id if len(projects) == 1 else None
    name = state.profile or config.DEFAULT_PROFILE
    path = config.store_profile(name, api_key.strip(), base_url, project_id)
    if as_json:
        print_json({"profile": name, "baseUrl": base_url, "projectId": project_id, "config": str(path)})
        return
    click.echo(f"Logged in to {base_url} (profile {name!r}, saved in {path}).")
    if project_id:
        click.echo(f"Default project: {project_id}")


# -------------------------------------------------------------------------------------- keys


@cli.group()
def keys() -> None:
    """API keys (owner keys only)."""


@keys.command("list")
@as_json
@pass_state
def keys_list(state: State, as_json: bool) -> None:
    items = list(state.client().keys.list())
    if as_json:
        return print_json(raw(items))
    table(
        items,
        [
            ("ID", lambda k: k.id),
            ("NAME", lambda k: k.name),
            ("ROLE", lambda k: k.role),
            ("KEY", lambda k: k.masked_key),
            ("STATUS", lambda k: k.status),
            ("PROJECTS", lambda k: ",".join(k.project_ids) or "all"),
            ("CREATED", lambda k: when(k.created_at)),
        ],
    )


@keys.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "editor", "owner"]), default="viewer", show_default=True)
@click.option(
    "--project", "projects", multiple=True, metavar="ID", help="Restrict to a project (repeatable)."
)
@click.option("--scope", "scopes", multiple=True, metavar="SCOPE", help="e.g. metrics:write (repeatable).")
@as_json
@pass_state
def keys_create(
    state: State, name: str, role: str, projects: tuple[str, ...], scopes: tuple[str, ...], as_json: bool
) -> None:
    """Create a key; its plaintext is shown this once."""
    key = state.client().keys.create(
        name, role, project_ids=list(projects) or None, scopes=list(scopes) or None
    )
    if as_json:
        return print_json(key.raw)
    click.echo(f"Created {key.id} ({key.role}). The key, shown once:")
    click.echo(key.key)


@keys.command("revoke")
@click.argument("key_id")
@as_json
@pass_state
def keys_revoke(state: State, key_id: str, as_json: bool) -> None:
    state.client().keys.revoke(key_id)
    if as_json:
        return print_json({"id": key_id, "status": "revoked"})
    click.echo(f"Revoked {key_id}.")


# ----------------------------------------------------------------------------------- metrics


@cli.group()
def metrics() -> None:
    """Metric points: list, push, draw a series."""


@metrics.command("list")
@project_option
@click.option(
    "--metric", "metric_ids", multiple=True, metavar="ID", help="Only these metric ids (repeatable)."
)
@click.option("--since", metavar="DATE", help="ISO 8601 start (a date without a zone is UTC).")
@click.option("--until", metavar="DATE", help="ISO 8601 end.")
@click.option("--limit", "-n", type=int, default=50, show_default=True, help="Points to show (0: all).")
@as_json
@pass_state
def metrics_list(
    state: State,
    project_id: str | None,
    metric_ids: tuple[str, ...],
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Points, newest first (follows the cursor across pages)."""
    client = state.client(project_id)
    pages = client.metrics.list(
        metric_ids=list(metric_ids) or None,
        start_date=since,
        end_date=until,
        limit=min(limit, 1000) if limit else 1000,
    )
    items = take(pages, limit)
    if as_json:
        return print_json(raw(items))
    table(
        items,
        [
            ("TIME (UTC)", lambda p: when(p.timestamp)),
            ("METRIC", lambda p: p.metric_id),
            ("VALUE", lambda p: f"{p.value:g}"),
            ("UNIT", lambda p: p.unit),
            ("SOURCE", lambda p: p.data_quality),
            ("ID", lambda p: p.id),
        ],
    )


def _parse_time(value: str | None) -> int | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() * 1000)


@metrics.command("push")
@click.argument("metric_id")
@click.argument("value", type=float)
@project_option
@click.option("--unit", help="e.g. USD, count.")
@click.option("--timestamp", metavar="MS|ISO", help="When (default: now).")
@click.option("--name", "metric_name", help="Display name (kept from the metric's first point).")
@click.option("--meta", "meta", multiple=True, metavar="KEY=VALUE", help="Metadata (repeatable).")
@as_json
@pass_state
def metrics_push(
    state: State,
    metric_id: str,
    value: float,
    project_id: str | None,
    unit: str | None,
    timestamp: str | None,
    metric_name: str | None,
    meta: tuple[str, ...],
    as_json: bool,
) -> None:
    """Push one point (sent with an Idempotency-Key: a retry stores it once)."""
    metadata = {}
    for item in meta:
        key, sep, text = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--meta")
        metadata[key] = text
    number: float | int = int(value) if value.is_integer() else value
    result = state.client(project_id).metrics.push(
        metric_id,
        number,
        timestamp=_parse_time(timestamp),
        unit=unit,
        metadata=metadata or None,
        metric_name=metric_name,
    )
    if as_json:
        return print_json(result.raw)
    click.echo(f"Stored {metric_id} = {number:g} as {result.metric_id}.")


BLOCKS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(BLOCKS[1 + round((v - low) / span * (len(BLOCKS) - 2))] for v in values)


def bar_chart(points: list[tuple[str, float]], width: int) -> list[str]:
    """One row per bucket: label, a bar of eighth-blocks scaled to the largest |value|, value."""
    if not points:
        return []
    label_width = max(len(label) for label, _ in points)
    texts = [f"{value:,.6g}" for _, value in points]
    value_width = max(len(text) for text in texts)
    room = max(10, width - label_width - value_width - 4)
    top = max(abs(value) for _, value in points) or 1.0
    rows = []
    for (label, value), text in zip(points, texts, strict=True):
        eighths = round(abs(value) / top * room * 8)
        bar = "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")
        rows.append(f"{label:<{label_width}}  {bar:<{room}}  {text:>{value_width}}")
    return rows


@metrics.command("series")
@click.argument("metric_id")
@project_option
@click.option(
    "--from", "start", metavar="DATE", help="ISO 8601 start (default: 30 days ago, 48 h for hours)."
)
@click.option("--to", "end", metavar="DATE", help="ISO 8601 end (default: now).")
@click.option(
    "--interval", type=click.Choice(["hour", "day", "week", "month"]), default="day", show_default=True
)
@click.option("--aggregation", type=click.Choice(["sum", "avg", "min", "max", "count", "last"]))
@as_json
@pass_state
def metrics_series(
    state: State,
    metric_id: str,
    project_id: str | None,
    start: str | None,
    end: str | None,
    interval: str,
    aggregation: str | None,
    as_json: bool,
) -> None:
    """A metric's time series, drawn as a bar chart with a sparkline."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    span = {"hour": timedelta(hours=48), "day": timedelta(days=30), "week": timedelta(weeks=12)}
    default_start = now - span.get(interval, timedelta(days=365))
    series = state.client(project_id).metrics.timeseries(
        metric_id,
        start_date=start or default_start,
        end_date=end or now,
        interval=interval,
        aggregation=aggregation,
    )
    if as_json:
        return print_json(series.raw)
    console = _console()
    info = series.metric
    unit = f" ({info.unit})" if info and info.unit else ""
    console.print(
        f"[bold]{info.name if info else metric_id}[/bold]{unit}  {series.start_date} → {series.end_date}"
    )
    label_format = {"hour": "%m-%d %H:00", "month": "%Y-%m"}.get(interval, "%Y-%m-%d")
    points = [
        (datetime.fromtimestamp(p.timestamp / 1000, UTC).strftime(label_format), float(p.value))
        for p in series.data
    ]
    if not points:
        console.print("No points in this range.")
        return
    console.print(f"[cyan]{sparkline([v for _, v in points])}[/cyan]")
    for row in bar_chart(points, console.width):
        console.print(row, highlight=False, markup=False)


# -------------------------------------------------------------------------------- dashboards


@cli.group()
def dashboards() -> None:
    """Dashboards: list, and show one's tiles rendered as text."""


@dashboards.command("list")
@project_option
@as_json
@pass_state
def dashboards_list(state: State, project_id: str | None, as_json: bool) -> None:
    items = list(state.client(project_id).dashboards.list())
    if as_json:
        return print_json(raw(items))
    table(
        items,
        [
            ("ID", lambda d: d.id),
            ("NAME", lambda d: d.name),
            ("TYPE", lambda d: d.type + (f"/{d.category}" if d.category else "")),
            ("DEFAULT", lambda d: "yes" if d.is_default else ""),
            ("UPDATED", lambda d: when(d.updated_at)),
        ],
    )


@dashboards.command("show")
@click.argument("dashboard_id")
@click.option(
    "--refresh", type=click.Choice(["blocking", "force_blocking", "force_cache"]), help="Cache behaviour."
)
@as_json
@pass_state
def dashboards_show(state: State, dashboard_id: str, refresh: str | None, as_json: bool) -> None:
    """Every tile's current result (the API's txt rendering)."""
    client = state.client()
    if as_json:
        return print_json(client.dashboards.run_insights(dashboard_id, refresh=refresh))
    click.echo(client.dashboards.run_insights(dashboard_id, refresh=refresh, format="txt").rstrip("\n"))


# ----------------------------------------------------------------------------------- exports


@cli.group()
def export() -> None:
    """Data exports: create (and wait, and download), list, get, download, cancel, schedule."""


def _include(values: tuple[str, ...]) -> dict[str, bool]:
    names = {
        "metrics": "include_metrics",
        "connections": "include_connections",
        "dashboards": "include_dashboards",
        "auditLogs": "include_audit_logs",
    }
    chosen = {part.strip() for value in values for part in value.split(",") if part.strip()}
    if not chosen or "all" in chosen:
        return {"include_all": True}
    return {names[c]: True for c in sorted(chosen)}


def _job_row(job: Any) -> list[tuple[str, Callable[[Any], Any]]]:
    return [
        ("ID", lambda j: j.export_job_id),
        ("STATUS", lambda j: j.status),
        ("PROGRESS", lambda j: f"{j.progress}%"),
        ("FORMAT", lambda j: j.format),
        ("RECORDS", lambda j: j.record_count),
        ("SIZE", lambda j: j.size_bytes),
        ("CREATED", lambda j: when(j.created_at)),
    ]


def _download(client: Any, job: Any, out: str, quiet: bool) -> None:
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    if quiet:
        client.exports.download(job, out)
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=_console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task(f"Downloading to {out}", total=job.size_bytes or None)
        client.exports.download(
            job, out, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )


def _wait(client: Any, job_id: str, poll_interval: float, quiet: bool) -> Any:
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

    if quiet:
        return client.exports.wait(job_id, poll_interval=poll_interval)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=_console(stderr=True),
    ) as bar:
        task = bar.add_task(f"Export {job_id} queued", total=100)

        def show(job: Any) -> None:
            bar.update(task, completed=job.progress, description=f"Export {job_id} {job.status}")

        return client.exports.wait(job_id, progress=show, poll_interval=poll_interval)


@export.command("create")
@project_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--range", "date_range", type=click.Choice(RANGES), default="all_time", show_default=True)
@click.option("--from", "start", metavar="DATE", help="Custom range start (ISO 8601 or epoch ms); with --to.")
@click.option("--to", "end", metavar="DATE", help="Custom range end.")
@click.option(
    "--include",
    multiple=True,
    metavar="TYPES",
    help="metrics,connections,dashboards,auditLogs or all (default all).",
)
@click.option("--wait", is_flag=True, help="Follow the job's progress until it ends.")
@click.option("--out", "-o", metavar="FILE", help="Download the file here (implies --wait).")
@click.option("--poll-interval", type=float, default=2.0, show_default=True, metavar="SECONDS")
@as_json
@pass_state
def export_create(
    state: State,
    project_id: str | None,
    fmt: str,
    date_range: str,
    start: str | None,
    end: str | None,
    include: tuple[str, ...],
    wait: bool,
    out: str | None,
    poll_interval: float,
    as_json: bool,
) -> None:
    """Start an export; with --wait a progress bar follows it, with --out the file is saved."""
    if bool(start) != bool(end):
        raise click.UsageError("--from and --to go together")
    client = state.client(project_id)
    chosen_range: Any = (_parse_time(start), _parse_time(end)) if start else date_range
    created = client.exports.create(format=fmt, date_range=chosen_range, **_include(include))
    if not (wait or out):
        if as_json:
            return print_json(created.raw)
        click.echo(
            f"Export {created.export_job_id} {created.status}. "
            f"Follow it: tallyboard export get {created.export_job_id}"
        )
        return
    job = _wait(client, created.export_job_id, poll_interval, quiet=as_json)
    if out:
        _download(client, job, out, quiet=as_json)
    if as_json:
        return print_json(job.raw)
    click.echo(f"Export {job.export_job_id} completed: {job.record_count} records, {job.size_bytes} bytes.")
    if out:
        click.echo(f"Saved to {out}")
    else:
        click.echo(f"Download (valid 24 h): {job.download_url}")


@export.command("get")
@click.argument("export_job_id")
@as_json
@pass_state
def export_get(state: State, export_job_id: str, as_json: bool) -> None:
    job = state.client().exports.get(export_job_id)
    if as_json:
        return print_json(job.raw)
    table([job], _job_row(job))
    if job.download_url:
        click.echo(f"Download (valid 24 h): {job.download_url}")
    if job.error:
        click.echo(f"Error: {job.error}")


@export.command("list")
@project_option
@as_json
@pass_state
def export_list(state: State, project_id: str | None, as_json: bool) -> None:
    """The project's exports of the last 30 days, newest first."""
    items = list(state.client(project_id).exports.list())
    if as_json:
        return print_json(raw(items))
    table(items, _job_row(None))


@export.command("download")
@click.argument("export_job_id")
@click.option("--out", "-o", metavar="FILE", required=True)
@as_json
@pass_state
def export_download(state: State, export_job_id: str, out: str, as_json: bool) -> None:
    """Save a completed export's file (streamed)."""
    client = state.client()
    job = client.exports.get(export_job_id)
    _download(client, job, out, quiet=as_json)
    if as_json:
        return print_json({"exportJobId": export_job_id, "path": out})
    click.echo(f"Saved to {out}")


@export.command("cancel")
@click.argument("export_job_id")
@as_json
@pass_state
def export_cancel(state: State, export_job_id: str, as_json: bool) -> None:
    job = state.client().exports.cancel(export_job_id)
    if as_json:
        return print_json(job.raw)
    click.echo(f"Export {export_job_id} {job.status}.")


@export.group("schedule")
def export_schedule() -> None:
    """The project's weekly or monthly scheduled export."""


def _show_schedule(schedule: Any) -> None:
    day = schedule.day_of_week if schedule.frequency == "weekly" else f"day {schedule.day_of_month}"
    click.echo(
        f"{schedule.frequency} ({day}, {schedule.hour:02d}:00 UTC): "
        f"{schedule.format}, {schedule.date_range}, "
        f"{', '.join(schedule.data_types)}; next run {when(schedule.next_run_at)} UTC"
    )


@export_schedule.command("get")
@project_option
@as_json
@pass_state
def export_schedule_get(state: State, project_id: str | None, as_json: bool) -> None:
    schedule = state.client(project_id).exports.schedule.get()
    if as_json:
        return print_json(schedule.raw)
    _show_schedule(schedule)


@export_schedule.command("set")
@project_option
@click.option("--frequency", type=click.Choice(["weekly", "monthly"]), required=True)
@click.option(
    "--day",
    metavar="DAY",
    help="weekly: monday … sunday; monthly: 1-28.",
)
@click.option("--hour", type=click.IntRange(0, 23), help="UTC hour.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]))
@click.option("--range", "date_range", type=click.Choice(RANGES))
@click.option("--include", multiple=True, metavar="TYPES", help="As for create (default all).")
@as_json
@pass_state
def export_schedule_set(
    state: State,
    project_id: str | None,
    frequency: str,
    day: str | None,
    hour: int | None,
    fmt: str | None,
    date_range: str | None,
    include: tuple[str, ...],
    as_json: bool,
) -> None:
    options: dict[str, Any] = {"hour": hour, "format": fmt, "date_range": date_range, **_include(include)}
    if day and frequency == "weekly":
        options["day_of_week"] = day.lower()
    elif day:
        if not day.isdigit():
            raise click.BadParameter("a monthly schedule's day is a number", param_hint="--day")
        options["day_of_month"] = int(day)
    schedule = state.client(project_id).exports.schedule.set(frequency, **options)
    if as_json:
        return print_json(schedule.raw)
    _show_schedule(schedule)


@export_schedule.command("delete")
@project_option
@as_json
@pass_state
def export_schedule_delete(state: State, project_id: str | None, as_json: bool) -> None:
    state.client(project_id).exports.schedule.delete()
    if as_json:
        return print_json({"deleted": True})
    click.echo("Scheduled export deleted.")


# ------------------------------------------------------------------------------------ agency


def _listing(
    group: click.Group,
    fetch: Callable[[Any, dict[str, Any]], Iterable[Any]],
    columns: list[tuple[str, Callable[[Any], Any]]],
    options: list[Callable[[Any], Any]] = (),  # type: ignore[assignment]
    needs_project: bool = False,
    doc: str = "",
) -> None:
    def command(
        state: State, as_json: bool, limit: int, project_id: str | None = None, **filters: Any
    ) -> None:
        client = state.client(project_id)
        items = take(fetch(client, {k: v for k, v in filters.items() if v is not None}), limit)
        if as_json:
            return print_json(raw(items))
        table(items, columns)

    command.__doc__ = doc
    decorated: Any = pass_state(command)
    decorated = as_json(decorated)
    decorated = click.option("--limit", "-n", type=int, default=50, show_default=True, help="Rows (0: all).")(
        decorated
    )
    for option in options:
        decorated = option(decorated)
    if needs_project:
        decorated = project_option(decorated)
    group.command("list")(decorated)


@cli.group()
def tasks() -> None:
    """A project's tasks."""


_listing(
    tasks,
    lambda c, f: c.tasks.list(**f),
    [
        ("ID", lambda t: t.id),
        ("NAME", lambda t: t.name),
        ("STATUS", lambda t: t.status),
        ("PRIORITY", lambda t: t.priority),
        ("ASSIGNED", lambda t: ", ".join(t.assigned_to)),
        ("DUE", lambda t: t.due_date),
    ],
    [
        click.option("--status"),
        click.option("--assigned-to", "assigned_to", metavar="NAME|ID"),
        click.option("--task-list", "task_list"),
    ],
    needs_project=True,
    doc="List a project's tasks.",
)


@tasks.command("create")
@click.argument("name")
@project_option
@click.option("--description")
@click.option("--status")
@click.option("--priority", help="Low, Medium, High, … (any case).")
@click.option("--assign", "assigned_to", multiple=True, metavar="NAME|ID", help="Repeatable.")
@click.option("--list", "task_list", metavar="NAME", help="Task list.")
@click.option("--due", "due_date", metavar="YYYY-MM-DD")
@as_json
@pass_state
def tasks_create(state: State, name: str, project_id: str | None, as_json: bool, **fields: Any) -> None:
    fields["assigned_to"] = list(fields["assigned_to"]) or None
    task = state.client(project_id).tasks.create(name, **{k: v for k, v in fields.items() if v is not None})
    if as_json:
        return print_json(task.raw)
    click.echo(f"Created task {task.id}: {task.name} ({task.status}).")


@cli.group()
def leads() -> None:
    """The workspace's leads (workspace-wide keys)."""


_listing(
    leads,
    lambda c, f: c.leads.list(**f),
    [
        ("ID", lambda x: x.id),
        ("NAME", lambda x: x.name),
        ("COMPANY", lambda x: x.company),
        ("STATUS", lambda x: x.status),
        ("REP", lambda x: x.rep),
        ("VALUE", lambda x: x.value),
        ("TAGS", lambda x: ", ".join(x.tags)),
    ],
    [click.option("--status"), click.option("--rep")],
    doc="List leads.",
)


@leads.command("create")
@click.argument("name")
@click.option("--status", required=True, help="e.g. 'First Contact Made' (any case).")
@click.option("--company")
@click.option("--email")
@click.option("--phone")
@click.option("--tag", "tags", multiple=True, help="Repeatable.")
@click.option("--rep")
@click.option("--value", type=float)
@click.option("--source")
@click.option("--notes")
@click.option("--project", "project_id", metavar="ID", help="Link to a project.")
@as_json
@pass_state
def leads_create(state: State, name: str, status: str, as_json: bool, **fields: Any) -> None:
    fields["tags"] = list(fields["tags"]) or None
    lead = state.client().leads.create(name, status, **{k: v for k, v in fields.items() if v is not None})
    if as_json:
        return print_json(lead.raw)
    click.echo(f"Created lead {lead.id}: {lead.name} ({lead.status}).")


@cli.group("time")
def time_group() -> None:
    """Time entries of a project."""


_listing(
    time_group,
    lambda c, f: c.time.list(from_=f.pop("start", None), to=f.pop("end", None), **f),
    [
        ("ID", lambda e: e.id),
        ("DATE", lambda e: e.date),
        ("WHO", lambda e: e.user_name),
        ("HOURS", lambda e: f"{e.hours:g}"),
        ("BILLABLE", lambda e: "yes" if e.billable else "no"),
        ("DESCRIPTION", lambda e: e.description),
    ],
    [
        click.option("--from", "start", metavar="YYYY-MM-DD"),
        click.option("--to", "end", metavar="YYYY-MM-DD"),
        click.option("--user", "user_id", metavar="ID"),
    ],
    needs_project=True,
    doc="List a project's time entries.",
)


@time_group.command("create")
@click.argument("hours", type=float)
@project_option
@click.option("--date", metavar="YYYY-MM-DD", help="Default today.")
@click.option("--description")
@click.option("--task", "task_id", metavar="ID")
@click.option("--user", "user_id", metavar="ID", help="Default the key's user.")
@click.option("--billable/--not-billable", default=None)
@as_json
@pass_state
def time_create(state: State, hours: float, project_id: str | None, as_json: bool, **fields: Any) -> None:
    entry = state.client(project_id).time.create(hours, **{k: v for k, v in fields.items() if v is not None})
    if as_json:
        return print_json(entry.raw)
    click.echo(f"Logged {entry.hours:g} h on {entry.date} for {entry.user_name} ({entry.id}).")


@cli.group()
def notes() -> None:
    """Meeting notes of a project."""


_listing(
    notes,
    lambda c, f: c.notes.list(**f),
    [
        ("ID", lambda n: n.id),
        ("DATE", lambda n: n.meeting_date),
        ("TITLE", lambda n: n.title),
        ("NOTES", lambda n: n.notes if len(n.notes) < 60 else n.notes[:57] + "…"),
    ],
    needs_project=True,
    doc="List a project's notes.",
)


@notes.command("create")
@click.argument("text")
@project_option
@click.option("--title")
@click.option("--date", "meeting_date", metavar="YYYY-MM-DD")
@click.option("--attendee", "attendees", multiple=True, help="Repeatable.")
@click.option("--action", "action_items", multiple=True, help="Action item (repeatable).")
@as_json
@pass_state
def notes_create(state: State, text: str, project_id: str | None, as_json: bool, **fields: Any) -> None:
    for name in ("attendees", "action_items"):
        fields[name] = list(fields[name]) or None
    note = state.client(project_id).notes.create(text, **{k: v for k, v in fields.items() if v is not None})
    if as_json:
        return print_json(note.raw)
    click.echo(f"Created note {note.id}.")


@cli.group()
def holidays() -> None:
    """Holiday requests (workspace-wide keys)."""


@holidays.command("list")
@click.option("--scope", type=click.Choice(["me", "team"]), default="me", show_default=True)
@click.option("--status", type=click.Choice(["pending", "approved", "declined"]))
@click.option("--year", type=int)
@as_json
@pass_state
def holidays_list(state: State, scope: str, status: str | None, year: int | None, as_json: bool) -> None:
    """Requests and the year's allowance."""
    items, stats = [], {}
    for page in state.client().holidays.list(scope=scope, status=status, year=year).pages():
        items.extend(page.items)
        stats = stats or page.raw.get("stats") or {}
    if as_json:
        return print_json({"data": raw(items), "stats": stats})
    table(
        items,
        [
            ("ID", lambda h: h.id),
            ("WHO", lambda h: h.user_name),
            ("FROM", lambda h: h.start_date),
            ("TO", lambda h: h.end_date),
            ("DAYS", lambda h: h.days),
            ("TYPE", lambda h: h.type),
            ("STATUS", lambda h: h.status),
        ],
    )
    if stats:
        click.echo(
            f"{stats.get('year')}: {stats.get('taken_days')} taken, {stats.get('pending_days')} pending, "
            f"{stats.get('remaining_days')} of {stats.get('allowance_days')} days left"
        )


@holidays.command("create")
@click.argument("start_date", metavar="START")
@click.argument("end_date", metavar="END")
@click.option("--type", "kind", type=click.Choice(["annual", "sick", "unpaid", "other"]))
@click.option("--note")
@as_json
@pass_state
def holidays_create(
    state: State, start_date: str, end_date: str, kind: str | None, note: str | None, as_json: bool
) -> None:
    """Request days off (YYYY-MM-DD, inclusive)."""
    fields = {k: v for k, v in {"type": kind, "note": note}.items() if v is not None}
    holiday = state.client().holidays.create(start_date, end_date, **fields)
    if as_json:
        return print_json(holiday.raw)
    click.echo(
        f"Requested {holiday.days} working days "
        f"({holiday.start_date} to {holiday.end_date}): {holiday.status}."
    )


# -------------------------------------------------------------------------------- completion


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script: eval "$(tallyboard completion bash)"."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None
    click.echo(cls(cli, {}, "tallyboard", "_TALLYBOARD_COMPLETE").source())


# -------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    err = functools.partial(click.echo, err=True)
    try:
        code = cli.main(args=argv, prog_name="tallyboard", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        err("Cancelled.")
        return _exit(EXIT_CANCELLED)
    except click.exceptions.Exit as done:
        return _exit(done.exit_code)
    except click.ClickException as problem:  # usage errors too: 2 means cancelled here
        problem.show()
        return _exit(EXIT_ERROR)
    except (AuthenticationError, ConfigurationError) as problem:
        err(f"Authentication: {problem}")
        return _exit(EXIT_AUTH)
    except TallyboardError as problem:
        err(f"Error: {problem}")
        details = getattr(problem, "details", None)
        if details:
            err(json.dumps(details, ensure_ascii=False))
        return _exit(EXIT_ERROR)
    except (OSError, ValueError) as problem:
        err(f"Error: {problem}")
        return _exit(EXIT_ERROR)
    return _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> int:
    sys.exit(code)


if __name__ == "__main__":
    main()
