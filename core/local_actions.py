"""Custom actions that Rasa runs in its own process instead of over HTTP.

``action_detect_language`` is the custom slot mapping of the ``language``
slots, so Rasa calls it after *every* user message: a full HTTP round trip to
the action server (the whole tracker serialised, sent, parsed and validated)
for a decision that needs only the latest message and two slots, and no I/O.
Run here, it costs microseconds, and the language still follows the citizen
when the action server is down (so an apology is in the right language).

Only actions that are pure functions of the tracker belong in
:data:`LOCAL_ACTIONS`: no database, no network, no clock. The rasa_sdk class
is the one the action server also registers, so there is one implementation;
it gets a rasa_sdk ``Tracker`` with the slots, the latest message and the
latest action (no event history: a local action must not need it).
"""

from __future__ import annotations

import importlib
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker as SdkTracker
from rasa_sdk.executor import CollectingDispatcher

#: Action name -> "module:Class" of a pure rasa_sdk action.
LOCAL_ACTIONS: Dict[str, str] = {
    "action_detect_language": "actions.language:ActionDetectLanguage",
}

_instances: Dict[str, Any] = {}


def local_action(name: str) -> Optional[Any]:
    """The rasa_sdk action that runs in-process for ``name``, else ``None``."""
    path = LOCAL_ACTIONS.get(name)
    if path is None:
        return None
    action = _instances.get(name)
    if action is None:
        module_name, class_name = path.split(":")
        action = getattr(importlib.import_module(module_name), class_name)()
        _instances[name] = action
    return action


def sdk_tracker(tracker: Any) -> SdkTracker:
    """The rasa_sdk view of a Rasa tracker that a local action reads."""
    return SdkTracker(
        sender_id=tracker.sender_id,
        slots=tracker.current_slot_values(),
        latest_message=dict(tracker.latest_message.parse_data) if tracker.latest_message else {},
        events=[],
        paused=tracker.is_paused(),
        followup_action=tracker.followup_action,
        active_loop=tracker.active_loop or {},
        latest_action_name=tracker.latest_action_name,
    )


async def run_locally(
    remote_action: Any, sdk_action: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> List[Any]:
    """Run ``sdk_action`` as ``remote_action`` would over HTTP: its messages go
    through Rasa's NLG like an action server's responses, its events are Rasa events."""
    from rasa.shared.core import events as rasa_events

    dispatcher = CollectingDispatcher()
    sdk_events = await sdk_action.run(dispatcher, sdk_tracker(tracker), domain.as_dict())
    bot_messages = await remote_action._utter_responses(dispatcher.messages, output_channel, nlg, tracker)
    return list(bot_messages) + rasa_events.deserialise_events(list(sdk_events or []))
