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


def test_kakao_defaults_keep_the_channel_off_and_point_at_kakao() -> None:
    settings = get_settings({})
    assert settings.kakao_skill_secret is None
    assert settings.kakao_skill_header == "X-Skill-Secret"
    assert settings.kakao_allowed_ips == ()
    assert settings.kakao_callback_budget == 3.5
    assert settings.kakao_event_api_url == "https://bot-api.kakao.com"
    assert settings.kakao_rest_api_key is None and settings.kakao_bot_id is None


def test_kakao_settings_from_the_environment_and_secrets_stay_out_of_repr() -> None:
    settings = get_settings(
        {
            "KAKAO_SKILL_SECRET": "skill-secret-value",
            "KAKAO_SKILL_HEADER": "X-Agency-Key",
            "KAKAO_ALLOWED_IPS": " 10.0.0.1 , 192.168.0.0/16,2001:db8::/32",
            "KAKAO_CALLBACK_BUDGET": "2.5",
            "KAKAO_EVENT_API_URL": "http://127.0.0.1:9999/",
            "KAKAO_REST_API_KEY": "rest-key-value",
            "KAKAO_BOT_ID": "bot-1",
        }
    )
    assert settings.kakao_skill_header == "X-Agency-Key"
    assert settings.kakao_allowed_ips == ("10.0.0.1/32", "192.168.0.0/16", "2001:db8::/32")
    assert settings.kakao_callback_budget == 2.5
    assert settings.kakao_event_api_url == "http://127.0.0.1:9999"
    assert settings.kakao_bot_id == "bot-1"
    assert "skill-secret-value" not in repr(settings) and "rest-key-value" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KAKAO_CALLBACK_BUDGET", "soon"),
        ("KAKAO_CALLBACK_BUDGET", "5"),
        ("KAKAO_CALLBACK_BUDGET", "-1"),
        ("KAKAO_ALLOWED_IPS", "10.0.0.0/8, kakao.com"),
    ],
)
def test_malformed_kakao_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        get_settings({name: value})


def test_shared_state_and_trusted_proxies() -> None:
    settings = get_settings({"REDIS_URL": " redis://127.0.0.1:6379/1 ", "WEB_TRUSTED_PROXIES": "10.0.0.7, 10.1.0.0/16"})
    assert settings.redis_url == "redis://127.0.0.1:6379/1"
    assert settings.web_trusted_proxies == ("10.0.0.7/32", "10.1.0.0/16")
    assert "redis://" not in repr(settings)  # a Redis URL may carry a password
    assert get_settings({}).redis_url is None and get_settings({}).web_trusted_proxies == ()
    with pytest.raises(ValueError, match="WEB_TRUSTED_PROXIES"):
        get_settings({"WEB_TRUSTED_PROXIES": "edge.local"})
