"""The export document's own clients, run as written against the local server:
the backup `curl`, the weekly backup script (bash, curl, jq), and the JavaScript polling client
(node). Changed only in the base URL and the key; the scripts send no projectId, so their key
is bound to one project, as docs/api.md allows."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Tenant

DOC_BASE_URL = "https://api.dashtray.com/api/v1"

CURL_BACKUP = """\
# Weekly backup script
curl -X POST https://api.dashtray.com/api/v1/exports \\
  -H "Authorization: Bearer $API_KEY" \\
  -d '{
    "format": "json",
    "dateRange": "all_time",
    "includeAll": true
  }'
"""

WEEKLY_BACKUP_SCRIPT = """\
#!/bin/bash
# cron job: 0 0 * * 0 (every Sunday at midnight)

API_KEY="your_api_key"
PROJECT_ID="your_project_id"

# Create export
EXPORT_ID=$(curl -X POST https://api.dashtray.com/api/v1/exports \\
  -H "Authorization: Bearer $API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"format":"json","dateRange":"last_7_days"}' \\
  | jq -r '.exportJobId')

# Wait for completion
while true; do
  STATUS=$(curl https://api.dashtray.com/api/v1/exports/$EXPORT_ID \\
    -H "Authorization: Bearer $API_KEY" \\
    | jq -r '.status')

  if [ "$STATUS" = "completed" ]; then
    # Download and save
    DOWNLOAD_URL=$(curl https://api.dashtray.com/api/v1/exports/$EXPORT_ID \\
      -H "Authorization: Bearer $API_KEY" \\
      | jq -r '.downloadUrl')

    curl -o "backup-$(date +%Y%m%d).json" "$DOWNLOAD_URL"
    break
  fi

  sleep 10
done
"""

JS_CLIENT = """\
// Create export
const response = await fetch('https://api.dashtray.com/api/v1/exports', {
  method: 'POST',
  headers: {
    'Authorization': `Bearer ${API_KEY}`,
    'Content-Type': 'application/json'
  },
  body: JSON.stringify({
    format: 'json',
    dateRange: {
      startDate: Date.now() - (30 * 24 * 60 * 60 * 1000), // 30 days ago
      endDate: Date.now()
    },
    includeMetrics: true,
    includeConnections: true,
    includeDashboards: true,
    includeAuditLogs: true
  })
});

const { exportJobId } = await response.json();

// Poll for completion
const checkStatus = async () => {
  const status = await fetch(
    `https://api.dashtray.com/api/v1/exports/${exportJobId}`,
    {
      headers: { 'Authorization': `Bearer ${API_KEY}` }
    }
  );

  const data = await status.json();

  if (data.status === 'completed') {
    // Download file
    const file = await fetch(data.downloadUrl);
    // Save to disk
  } else if (data.status === 'failed') {
    console.error('Export failed:', data.error);
  } else {
    // Check again in 10 seconds
    setTimeout(checkStatus, 10000);
  }
};

checkStatus();
"""

# Set by the test, not part of the example: the key, and a fetch that reports what the
# example downloaded (the example itself only fetches it).
JS_PREAMBLE = """\
const API_KEY = process.env.API_KEY;
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, options) => {
  const answer = await realFetch(url, options);
  if (!String(url).startsWith(process.env.API_BASE_URL)) {
    const body = await answer.clone().text();
    console.log(JSON.stringify({downloaded: body.length, document: JSON.parse(body)}));
  }
  return answer;
};
"""


@pytest.fixture
def bound(tenant: Tenant) -> Tenant:
    """A key bound to the project, with a metric point so the backup holds something."""
    key = tenant.create_key("editor", projectIds=[tenant.project_id])
    pushed = key.post("/metrics/custom", json={"metricId": "custom_sales", "value": 5000, "unit": "USD"})
    assert pushed.status_code == 201, pushed.text
    return key


def _run(
    command: list[str], cwd: Path, env: dict[str, str], timeout: int = 60
) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        command,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, completed.stderr
    return completed


def test_backup_curl_without_content_type_queues_an_export(bound: Tenant, tmp_path: Path) -> None:
    script = CURL_BACKUP.replace(DOC_BASE_URL, bound.base_url)

    completed = _run(["bash", "-c", script], tmp_path, {"API_KEY": bound.api_key, "HOME": str(tmp_path)})

    answer = json.loads(completed.stdout)
    assert answer["status"] == "queued" and answer["exportJobId"].startswith("exp_")


def test_weekly_backup_script_saves_a_valid_backup(bound: Tenant, tmp_path: Path) -> None:
    script = WEEKLY_BACKUP_SCRIPT.replace(DOC_BASE_URL, bound.base_url).replace("your_api_key", bound.api_key)
    (tmp_path / "backup.sh").write_text(script)

    _run(["bash", "backup.sh"], tmp_path, {"HOME": str(tmp_path)}, timeout=90)

    (saved,) = tmp_path.glob("backup-*.json")
    document = json.loads(saved.read_text())
    assert document["project"]["id"] == bound.project_id
    assert [m["metricId"] for m in document["metrics"]] == ["custom_sales"]


def test_javascript_client_polls_and_downloads(bound: Tenant, tmp_path: Path) -> None:
    client = JS_PREAMBLE + JS_CLIENT.replace(DOC_BASE_URL, bound.base_url)
    (tmp_path / "client.mjs").write_text(client)

    environment = {"API_KEY": bound.api_key, "API_BASE_URL": bound.base_url}
    completed = _run(["node", "client.mjs"], tmp_path, environment, timeout=90)

    assert "Export failed" not in completed.stderr, completed.stderr
    (report,) = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    assert report["downloaded"] > 0
    assert report["document"]["metrics"][0]["value"] == 5000
    assert set(report["document"]) >= {"connections", "dashboards", "auditLogs"}
