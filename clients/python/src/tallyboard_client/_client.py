"""The HTTP core: configuration, retries with backoff, typed errors, pagination; sync and async."""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from tallyboard_client import __version__
from tallyboard_client._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    error_for,
)
from tallyboard_client._routes import ROUTES, Route
from tallyboard_client.models import Model, Pagination

DEFAULT_BASE_URL = "http://127.0.0.1:3000/v1"  # `make run`; a deployment passes its own
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
MAX_RETRY_AFTER = 60.0  # a 429's Retry-After can be most of an hour: wait at most this, then give up
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
RETRY_STATUSES = frozenset({408, 429})

M = TypeVar("M", bound=Model)


def iso(value: datetime | date | int | float | str | None) -> str | None:
    """A query date: datetimes in UTC with Z (naive ones are taken as UTC), epoch ms, or as given."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def _body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class Page(Generic[M]):
    """One page of a list: its items and its pagination."""

    def __init__(self, items: list[M], pagination: Pagination, raw: dict[str, Any]):
        self.items, self.pagination, self.raw = items, pagination, raw

    def __iter__(self) -> Iterator[M]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _page(body: dict[str, Any], model: type[M]) -> Page[M]:
    items = [model.from_dict(item) for item in body.get("data") or []]
    return Page(items, Pagination.from_dict(body.get("pagination") or {}), body)


class _Base:
    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        *,
        project_id: str | None = None,
        max_retry_after: float = MAX_RETRY_AFTER,
        user_agent: str | None = None,
    ):
        self.api_key = api_key or os.environ.get("TALLYBOARD_API_KEY")
        if not self.api_key:
            raise ConfigurationError("No API key: pass api_key= or set TALLYBOARD_API_KEY")
        self.base_url = (base_url or os.environ.get("TALLYBOARD_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"The base URL must start with http:// or https://: {self.base_url!r}")
        # Optional: routes that take a projectId use this one when the call names none (and a key
        # bound to one project may send none at all).
        self.project_id = project_id or os.environ.get("TALLYBOARD_PROJECT_ID") or None
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.headers = {
            "Authorization": f"Bearer {self.api_key}",
            "User-Agent": user_agent or f"tallyboard-client-python/{__version__}",
            "Accept": "application/json",
        }
        self._sleep: Callable[[float], Any] = time.sleep  # tests observe the waits here

    def _url(self, route: Route, path: dict[str, str] | None) -> str:
        filled = route.path
        for name, value in (path or {}).items():
            filled = filled.replace("{" + name + "}", quote(str(value), safe=""))
        return self.base_url + filled

    def _query(self, route: Route, query: dict[str, Any] | None) -> dict[str, str]:
        params: dict[str, str] = {}
        for name, value in (query or {}).items():
            if value is None:
                continue
            if name not in route.query:
                raise ValueError(f"{route.method} {route.path} takes no query parameter {name!r}")
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (list, tuple)):
                value = ",".join(str(v) for v in value)
            params[name] = str(value)
        return params

    def _body(self, route: Route, body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None:
            return None
        unknown = set(body) - set(route.body)
        if unknown:
            raise ValueError(f"{route.method} {route.path} takes no field {sorted(unknown)}")
        return {k: v for k, v in body.items() if v is not None}

    def backoff(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds before retry number `attempt + 1`: the server's Retry-After (capped), else an
        exponential backoff with jitter (half fixed, half random, so retrying clients spread out)."""
        if response is not None:
            after = _retry_after(response.headers)
            if after is not None:
                return min(after, self.max_retry_after)
        delay = min(INITIAL_BACKOFF * 2**attempt, MAX_BACKOFF)
        return delay / 2 + random.uniform(0, delay / 2)

    @staticmethod
    def retryable(status: int) -> bool:
        return status in RETRY_STATUSES or status >= 500

    def _error(self, response: httpx.Response) -> APIStatusError:
        return error_for(
            response.status_code,
            _body_of(response),
            response.headers,
            method=response.request.method,
            url=str(response.request.url),
        )

    @staticmethod
    def _parse(response: httpx.Response, model: type[Model] | None, unwrap: bool, text: bool) -> Any:
        if text:
            return response.text
        if response.status_code == 204 or not response.content:
            return None
        body = response.json()
        if unwrap and isinstance(body, dict) and "data" in body:
            body = body["data"]
        if model is None:
            return body
        return model.from_dict(body)

    def _project(self, project_id: str | None) -> str | None:
        return project_id or self.project_id


class Tallyboard(_Base):
    """The synchronous client.

    >>> client = Tallyboard()  # TALLYBOARD_API_KEY, TALLYBOARD_BASE_URL
    >>> for point in client.metrics.list(project_id="proj_…"):
    ...     print(point.metric_id, point.value)
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        *,
        http_client: httpx.Client | None = None,
        **options: Any,
    ):
        super().__init__(api_key, base_url, timeout, max_retries, **options)
        self._http = http_client or httpx.Client(timeout=timeout)
        from tallyboard_client import resources

        self.metrics = resources.Metrics(self)
        self.dashboards = resources.Dashboards(self)
        self.exports = resources.Exports(self)
        self.keys = resources.Keys(self)
        self.connections = resources.Connections(self)
        self.projects = resources.Projects(self)
        self.clients = resources.Clients(self)
        self.tasks = resources.Tasks(self)
        self.leads = resources.Leads(self)
        self.time = resources.Time(self)
        self.notes = resources.Notes(self)
        self.holidays = resources.Holidays(self)
        self.team = resources.Team(self)
        self.audit_logs = resources.AuditLogs(self)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Tallyboard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        name: str,
        *,
        path: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send the named operation (see _routes.ROUTES), retrying what can be retried."""
        route = ROUTES[name]
        url, params, payload = self._url(route, path), self._query(route, query), self._body(route, body)
        all_headers = {**self.headers, **(headers or {})}
        for attempt in range(self.max_retries + 1):
            response: httpx.Response | None = None
            try:
                response = self._http.request(
                    route.method, url, params=params, json=payload, headers=all_headers
                )
            except httpx.TimeoutException as exc:
                error: Exception = APITimeoutError(f"{route.method} {url}: timed out", cause=exc)
            except httpx.TransportError as exc:
                error = APIConnectionError(f"{route.method} {url}: {exc}", cause=exc)
            else:
                if response.status_code < 400:
                    return response
                error = self._error(response)
                if not self.retryable(response.status_code):
                    raise error
            if attempt == self.max_retries:
                raise error
            self._sleep(self.backoff(attempt, response))
        raise AssertionError("unreachable")

    def call(
        self,
        name: str,
        model: type[Model] | None = None,
        *,
        unwrap: bool = True,
        text: bool = False,
        **kwargs: Any,
    ) -> Any:
        return self._parse(self.request(name, **kwargs), model, unwrap, text)

    def paginate(self, name: str, model: type[M], **kwargs: Any) -> SyncPaginator[M]:
        return SyncPaginator(self, name, model, kwargs)

    def stream_to(
        self, url: str, path: os.PathLike[str] | str, chunk: Callable[[int, int | None], Any] | None
    ) -> int:
        """GET a signed URL (no Authorization header: the URL is the credential) into `path`,
        through a temporary file, so a cut download never leaves a half file under that name."""
        target = os.fspath(path)
        partial = f"{target}.part"
        written = 0
        with self._http.stream("GET", url, headers={"User-Agent": self.headers["User-Agent"]}) as response:
            if response.status_code >= 400:
                response.read()
                raise self._error(response)
            total = int(response.headers["content-length"]) if "content-length" in response.headers else None
            with open(partial, "wb") as handle:
                for part in response.iter_bytes():
                    handle.write(part)
                    written += len(part)
                    if chunk:
                        chunk(written, total)
        os.replace(partial, target)
        return written


class SyncPaginator(Generic[M]):
    """Iterates the items of every page, following `pagination.nextCursor`."""

    def __init__(self, client: Tallyboard, name: str, model: type[M], kwargs: dict[str, Any]):
        self._client, self._name, self._model, self._kwargs = client, name, model, kwargs

    def pages(self) -> Iterator[Page[M]]:
        query = dict(self._kwargs.get("query") or {})
        while True:
            response = self._client.request(self._name, **{**self._kwargs, "query": query})
            page = _page(response.json(), self._model)
            yield page
            cursor = page.pagination.next_cursor
            if not (page.pagination.has_more and cursor):
                return
            query = {**query, "cursor": cursor, "offset": None}

    def __iter__(self) -> Iterator[M]:
        for page in self.pages():
            yield from page.items

    def first_page(self) -> Page[M]:
        return next(self.pages())


class AsyncTallyboard(_Base):
    """The asyncio client: the same resources; methods are coroutines, lists async iterators."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        *,
        http_client: httpx.AsyncClient | None = None,
        **options: Any,
    ):
        super().__init__(api_key, base_url, timeout, max_retries, **options)
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._sleep = asyncio.sleep
        from tallyboard_client import resources

        self.metrics = resources.Metrics(self)
        self.dashboards = resources.Dashboards(self)
        self.exports = resources.AsyncExports(self)
        self.keys = resources.Keys(self)
        self.connections = resources.Connections(self)
        self.projects = resources.Projects(self)
        self.clients = resources.Clients(self)
        self.tasks = resources.Tasks(self)
        self.leads = resources.Leads(self)
        self.time = resources.Time(self)
        self.notes = resources.Notes(self)
        self.holidays = resources.Holidays(self)
        self.team = resources.Team(self)
        self.audit_logs = resources.AuditLogs(self)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncTallyboard:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def request(
        self,
        name: str,
        *,
        path: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        route = ROUTES[name]
        url, params, payload = self._url(route, path), self._query(route, query), self._body(route, body)
        all_headers = {**self.headers, **(headers or {})}
        for attempt in range(self.max_retries + 1):
            response: httpx.Response | None = None
            try:
                response = await self._http.request(
                    route.method, url, params=params, json=payload, headers=all_headers
                )
            except httpx.TimeoutException as exc:
                error: Exception = APITimeoutError(f"{route.method} {url}: timed out", cause=exc)
            except httpx.TransportError as exc:
                error = APIConnectionError(f"{route.method} {url}: {exc}", cause=exc)
            else:
                if response.status_code < 400:
                    return response
                error = self._error(response)
                if not self.retryable(response.status_code):
                    raise error
            if attempt == self.max_retries:
                raise error
            await self._sleep(self.backoff(attempt, response))
        raise AssertionError("unreachable")

    async def call(
        self,
        name: str,
        model: type[Model] | None = None,
        *,
        unwrap: bool = True,
        text: bool = False,
        **kwargs: Any,
    ) -> Any:
        return self._parse(await self.request(name, **kwargs), model, unwrap, text)

    def paginate(self, name: str, model: type[M], **kwargs: Any) -> AsyncPaginator[M]:
        return AsyncPaginator(self, name, model, kwargs)

    async def stream_to(
        self, url: str, path: os.PathLike[str] | str, chunk: Callable[[int, int | None], Any] | None
    ) -> int:
        target = os.fspath(path)
        partial = f"{target}.part"
        written = 0
        async with self._http.stream(
            "GET", url, headers={"User-Agent": self.headers["User-Agent"]}
        ) as response:
            if response.status_code >= 400:
                await response.aread()
                raise self._error(response)
            total = int(response.headers["content-length"]) if "content-length" in response.headers else None
            with open(partial, "wb") as handle:
                async for part in response.aiter_bytes():
                    handle.write(part)
                    written += len(part)
                    if chunk:
                        chunk(written, total)
        os.replace(partial, target)
        return written


class AsyncPaginator(Generic[M]):
    def __init__(self, client: AsyncTallyboard, name: str, model: type[M], kwargs: dict[str, Any]):
        self._client, self._name, self._model, self._kwargs = client, name, model, kwargs

    async def pages(self) -> AsyncIterator[Page[M]]:
        query = dict(self._kwargs.get("query") or {})
        while True:
            response = await self._client.request(self._name, **{**self._kwargs, "query": query})
            page = _page(response.json(), self._model)
            yield page
            cursor = page.pagination.next_cursor
            if not (page.pagination.has_more and cursor):
                return
            query = {**query, "cursor": cursor, "offset": None}

    async def __aiter__(self) -> AsyncIterator[M]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def first_page(self) -> Page[M]:
        async for page in self.pages():
            return page
        raise AssertionError("unreachable")
