"""Talking to the platform: the List Management API client, paging, and mirroring into the store."""
