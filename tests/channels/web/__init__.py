"""Tests of the web channel (channels/web)."""
