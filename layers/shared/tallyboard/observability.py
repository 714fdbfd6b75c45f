"""Powertools Logger and Metrics, configured from the environment the template sets
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="tallyboard")
metrics = Metrics(namespace="Tallyboard")
