from pathlib import Path

import pytest

from core.settings import get_settings


def test_defaults_bind_internal_services_to_loopback() -> None:
    settings = get_settings({})
    assert settings.rasa_host == "127.0.0.1"
    assert settings.action_host == "127.0.0.1"
    assert (settings.rasa_port, settings.action_port, settings.web_port) == (5005, 5055, 8080)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("var/assistant.db")
    assert settings.telegram_token is None


def test_environment_overrides(tmp_path: Path) -> None:
    settings = get_settings(
        {"RASA_PORT": "6000", "DATABASE_URL": "postgresql://u@h/db", "ASSISTANT_VAR_DIR": str(tmp_path)}
    )
    assert settings.rasa_port == 6000
    assert settings.rasa_url == "http://127.0.0.1:6000"
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.var_dir == tmp_path


def test_malformed_port_names_the_variable() -> None:
    with pytest.raises(ValueError, match="RASA_PORT"):
        get_settings({"RASA_PORT": "fifty"})
