"""Dashboards by job: `dashboards` (list, get, create), `updates` (PATCH, bulk tags), `templates`
(whole dashboards from a template, unlisted ones), `widgets`, `tiles` (copy, move, reorder)."""
