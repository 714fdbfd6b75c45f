"""Business logic per resource: access checks, rules, and calls into tallyboard.data."""
