"""What every channel needs, in one place.

- :mod:`channels.shared.incoming`: a citizen's text made safe before Rasa sees it
  (resident registration numbers masked, typed ``/intent`` syntax neutralised)
  and a client's language code read as ``ko``/``en``.
- :mod:`channels.shared.text`: long replies split without cutting a word or a
  link; button titles shortened to a label limit.
- :mod:`channels.shared.buttons`: Rasa buttons read into one shape, and long
  button payloads carried by short tokens.

No Rasa import here, so command-line tools that use it start quickly.
"""
