"""Sync: what phones push and pull (DESIGN §3), records as stored, photos, the OpenAPI document."""
