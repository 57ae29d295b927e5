"""Channels through which citizens reach the assistant: web and Telegram."""
