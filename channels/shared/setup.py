"""What every messenger channel does when Rasa builds it from credentials.yml."""

from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping, Optional

from core.privacy import install_log_masking

logger = logging.getLogger(__name__)


def prepare_channel(
    credentials: Optional[Mapping[str, Any]], secret_keys: Iterable[str], channel: str, environment: str
) -> None:
    """Make every log handler mask personal data, and warn (never use them)
    when credentials.yml carries secrets: ``channel`` reads its secrets from
    the ``environment`` variables named in the warning."""
    install_log_masking()
    if credentials and any(credentials.get(key) for key in secret_keys):
        logger.warning(
            "credentials.yml has %s secrets; they are ignored. Set %s in the environment instead.",
            channel,
            environment,
        )
