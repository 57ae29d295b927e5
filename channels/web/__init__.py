"""The public web channel: an aiohttp gateway that serves the chat page and
relays messages to Rasa's REST channel on 127.0.0.1.

Start it with ``python -m channels.web``; build it in code (tests, other
runners) with :func:`channels.web.app.create_app`.
"""
