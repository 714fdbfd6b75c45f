"""Every operation the SDK calls: method, path, the query parameters and body fields it may send,
and the component its answer is read as. The SDK names operations itself (it does not rely on
the spec's operationIds); tests/clients/test_drift.py checks this table against the served spec."""

from __future__ import annotations

from typing import NamedTuple

PAGE = ("limit", "offset", "cursor")


class Route(NamedTuple):
    method: str
    path: str
    query: tuple[str, ...] = ()
    body: tuple[str, ...] = ()  # JSON field names the SDK may send
    response: str | None = None  # the 2xx JSON component (None: no body, or text)


R = Route
ROUTES: dict[str, Route] = {
    # keys
    "keys.list": R("GET", "/api-keys", PAGE, response="ApiKeyList"),
    "keys.create": R(
        "POST",
        "/api-keys",
        body=("name", "role", "projectIds", "scopes", "userId"),
        response="CreatedApiKeyResponse",
    ),
    "keys.revoke": R("DELETE", "/api-keys/{keyId}"),
    # metrics
    "metrics.list": R(
        "GET",
        "/metrics",
        ("projectId", "metricIds", "startDate", "endDate", *PAGE),
        response="MetricList",
    ),
    "metrics.push": R(
        "POST",
        "/metrics/custom",
        body=("projectId", "metricId", "value", "timestamp", "unit", "metadata", "metricName", "aggregation"),
        response="CustomMetricResponse",
    ),
    "metrics.push_batch": R(
        "POST", "/metrics/custom/batch", body=("projectId", "points"), response="CustomMetricBatchResponse"
    ),
    "metrics.timeseries": R(
        "GET",
        "/metrics/{metricId}/timeseries",
        ("projectId", "startDate", "endDate", "interval", "aggregation"),
        response="TimeseriesResponse",
    ),
    # connections
    "connections.list": R("GET", "/connections", ("projectId", *PAGE), response="ConnectionList"),
    # dashboards
    "dashboards.list": R("GET", "/dashboards", ("projectId", *PAGE), response="DashboardList"),
    "dashboards.get": R("GET", "/dashboards/{dashboardId}", response="DashboardDetailResponse"),
    "dashboards.create": R(
        "POST",
        "/dashboards",
        body=("projectId", "name", "type", "category", "isDefault", "description", "tags"),
        response="DashboardResponse",
    ),
    "dashboards.update": R(
        "PATCH",
        "/dashboards/{dashboardId}",
        ("format",),
        body=("name", "description", "pinned", "tags", "deleted"),
        response="DashboardDetailResponse",
    ),
    "dashboards.run_insights": R(
        "GET",
        "/dashboards/{dashboardId}/run_insights",
        ("refresh", "output_format", "format"),
        response="RunInsightsResponse",
    ),
    "themes.get": R("GET", "/projects/{projectId}/data_color_themes/{themeId}", response="ThemeResponse"),
    # exports
    "exports.create": R(
        "POST",
        "/exports",
        body=(
            "projectId",
            "format",
            "dateRange",
            "includeMetrics",
            "includeConnections",
            "includeDashboards",
            "includeAuditLogs",
            "includeAll",
        ),
        response="ExportCreated",
    ),
    "exports.get": R("GET", "/exports/{exportJobId}", response="ExportJob"),
    "exports.list": R("GET", "/exports", ("projectId", *PAGE), response="ExportList"),
    "exports.cancel": R("DELETE", "/exports/{exportJobId}", response="ExportJob"),
    "exports.schedule.get": R("GET", "/exports/schedule", ("projectId",), response="ExportSchedule"),
    "exports.schedule.set": R(
        "PUT",
        "/exports/schedule",
        ("projectId",),
        body=(
            "frequency",
            "dayOfWeek",
            "dayOfMonth",
            "hour",
            "format",
            "dateRange",
            "includeMetrics",
            "includeConnections",
            "includeDashboards",
            "includeAuditLogs",
            "includeAll",
        ),
        response="ExportSchedule",
    ),
    "exports.schedule.delete": R("DELETE", "/exports/schedule", ("projectId",)),
    "audit_logs.list": R(
        "GET", "/audit-logs", ("projectId", "action", "startDate", "endDate", *PAGE), response="AuditLogList"
    ),
    # agency
    "projects.list": R("GET", "/projects", PAGE, response="ProjectList"),
    "projects.get": R("GET", "/projects/{projectId}", response="ProjectResponse"),
    "projects.update": R(
        "PATCH",
        "/projects/{projectId}",
        body=("name", "description", "status", "budget", "start_date", "end_date"),
        response="ProjectResponse",
    ),
    "projects.archive": R("DELETE", "/projects/{projectId}", response="ProjectResponse"),
    "projects.stats": R("GET", "/projects/{projectId}/stats", response="ProjectStatsResponse"),
    "projects.campaign_metrics": R("GET", "/projects/{projectId}/metrics", response="CampaignMetrics"),
    "clients.list": R("GET", "/clients", PAGE, response="ClientList"),
    "clients.create": R(
        "POST", "/clients", body=("name", "email", "phone", "website", "status"), response="ClientResponse"
    ),
    "clients.projects": R("GET", "/clients/{id}/projects", (*PAGE, "status"), response="ProjectList"),
    "clients.create_project": R(
        "POST",
        "/clients/{id}/projects",
        body=("name", "description", "status", "budget", "start_date", "end_date"),
        response="ProjectResponse",
    ),
    "clients.team": R("GET", "/clients/{id}/team", response="ClientTeam"),
    "tasks.list": R(
        "GET",
        "/projects/{projectId}/tasks",
        (*PAGE, "status", "assigned_to", "task_list"),
        response="TaskList",
    ),
    "tasks.create": R(
        "POST",
        "/projects/{projectId}/tasks",
        body=(
            "name",
            "description",
            "status",
            "priority",
            "assigned_to",
            "task_list",
            "due_date",
            "start_date",
        ),
        response="TaskResponse",
    ),
    "tasks.get": R("GET", "/tasks/{taskId}", response="TaskResponse"),
    "tasks.update": R(
        "PATCH",
        "/tasks/{taskId}",
        body=(
            "name",
            "description",
            "status",
            "priority",
            "assigned_to",
            "task_list",
            "due_date",
            "start_date",
        ),
        response="TaskResponse",
    ),
    "tasks.delete": R("DELETE", "/tasks/{taskId}"),
    "leads.list": R("GET", "/leads", (*PAGE, "status", "rep"), response="LeadList"),
    "leads.create": R(
        "POST",
        "/leads",
        body=(
            "name",
            "status",
            "company",
            "email",
            "phone",
            "tags",
            "rep",
            "value",
            "source",
            "notes",
            "project_id",
            "client_id",
        ),
        response="LeadResponse",
    ),
    "leads.get": R("GET", "/leads/{leadId}", response="LeadResponse"),
    "leads.update": R(
        "PATCH",
        "/leads/{leadId}",
        body=(
            "name",
            "status",
            "company",
            "email",
            "phone",
            "tags",
            "rep",
            "value",
            "source",
            "notes",
            "project_id",
            "client_id",
        ),
        response="LeadResponse",
    ),
    "leads.delete": R("DELETE", "/leads/{leadId}"),
    "time.list": R(
        "GET", "/projects/{projectId}/time", (*PAGE, "from", "to", "user_id"), response="TimeEntryList"
    ),
    "time.create": R(
        "POST",
        "/projects/{projectId}/time",
        body=("hours", "date", "user_id", "task_id", "description", "billable"),
        response="TimeEntryResponse",
    ),
    "notes.list": R("GET", "/projects/{projectId}/notes", PAGE, response="NoteList"),
    "notes.create": R(
        "POST",
        "/projects/{projectId}/notes",
        body=("notes", "title", "meeting_date", "attendees", "action_items"),
        response="NoteResponse",
    ),
    "holidays.list": R("GET", "/holidays", (*PAGE, "scope", "status", "year"), response="HolidayList"),
    "holidays.create": R(
        "POST", "/holidays", body=("start_date", "end_date", "type", "note"), response="HolidayResponse"
    ),
    "holidays.update": R("PATCH", "/holidays/{holidayId}", body=("status",), response="HolidayResponse"),
    "team.list": R("GET", "/team", PAGE, response="MemberList"),
}

# The list component's `data` items, for the drift test: which model reads which list.
LIST_ITEMS: dict[str, str] = {
    "ApiKeyList": "ApiKey",
    "MetricList": "MetricPoint",
    "ConnectionList": "Connection",
    "DashboardList": "Dashboard",
    "ExportList": "ExportJob",
    "AuditLogList": "AuditLogEntry",
    "ProjectList": "Project",
    "ClientList": "Client",
    "TaskList": "Task",
    "LeadList": "Lead",
    "TimeEntryList": "TimeEntry",
    "NoteList": "Note",
    "HolidayList": "Holiday",
    "MemberList": "Member",
}
