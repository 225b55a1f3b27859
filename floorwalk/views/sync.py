"""Sync API routes (push, pull, photos), on the API blueprint."""

from .api import bp  # noqa: F401
