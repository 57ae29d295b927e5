"""The staff back office: accounts and roles, the service catalogue, applications and the audit log.

``python -m console`` serves it on ``CONSOLE_HOST:CONSOLE_PORT`` (default
127.0.0.1:8090); ``python -m console users ...`` manages the staff accounts.
"""
