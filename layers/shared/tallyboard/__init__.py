"""Tallyboard shared package: the Lambda layer and what the tests import."""
