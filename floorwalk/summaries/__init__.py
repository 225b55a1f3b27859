"""Summaries: what the server makes of the records for people who decide (DESIGN §3, §10)."""
