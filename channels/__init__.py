"""Channels through which citizens reach the assistant, one package each:
``web/`` (the chat page and public API), ``telegram/`` and ``kakao/`` (Rasa
input channels), with what they all need in ``shared/``. ``rest`` is Rasa's
REST channel with resident registration numbers masked."""
