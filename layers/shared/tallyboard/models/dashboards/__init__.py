"""Dashboard shapes by job: `dashboards` (the dashboard, list, create), `widgets`, `updates`
(PATCH, bulk tags), `tiles` (copy, move, reorder), `templates`, `insights` (run_insights and
the other computed answers). Request fields keep the names the documents give."""
