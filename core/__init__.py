"""Shared foundations: settings, database, privacy masking and language detection."""
