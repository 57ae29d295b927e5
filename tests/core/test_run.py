"""The launcher behind `make run`: environment and which processes start."""

from core.run import banner, process_environment, processes


def test_environment_makes_every_default_explicit_and_invents_a_token() -> None:
    env = process_environment({})
    assert env["RASA_HOST"] == "127.0.0.1" and env["ACTION_HOST"] == "127.0.0.1"
    assert env["RASA_PORT"] == "5005" and env["ACTION_PORT"] == "5055" and env["WEB_PORT"] == "8080"
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert len(env["RASA_TOKEN"]) >= 24
    assert env["RASA_TOKEN"] != process_environment({})["RASA_TOKEN"]
    assert env["TELEGRAM_SECRET"]


def test_given_secrets_are_kept() -> None:
    env = process_environment({"RASA_TOKEN": "t0ken", "TELEGRAM_SECRET": "s3cret", "RASA_PORT": "6000"})
    assert (env["RASA_TOKEN"], env["TELEGRAM_SECRET"], env["RASA_PORT"]) == ("t0ken", "s3cret", "6000")


def test_telegram_starts_only_with_a_token() -> None:
    assert "telegram" not in processes({})
    assert "telegram" in processes({"TELEGRAM_TOKEN": "123:abc"})
    assert processes({})[:2] == ["actions", "rasa"] and "web" in processes({})


def test_banner_shows_the_urls() -> None:
    text = banner({"RASA_PORT": "5005", "WEB_PORT": "8080"}, ["actions", "rasa", "web"])
    assert "http://localhost:5005/webhooks/rest/webhook" in text
    assert "http://localhost:8080" in text


def test_banner_shows_the_kakao_skill_url_only_with_a_secret() -> None:
    base = {"RASA_PORT": "5005", "WEB_PORT": "8080"}
    assert "kakao" not in banner(base, ["actions", "rasa", "web"])
    text = banner({**base, "KAKAO_SKILL_SECRET": "s", "KAKAO_SKILL_HEADER": "X-Agency-Key"}, ["actions", "rasa"])
    assert "POST http://localhost:5005/webhooks/kakao/webhook" in text
    assert "X-Agency-Key" in text and "KAKAO_SKILL_SECRET" not in text


def test_kakao_needs_no_process_of_its_own() -> None:
    assert processes({"KAKAO_SKILL_SECRET": "s"}) == processes({})


def test_rasa_runs_two_workers_on_two_cores_unless_told(monkeypatch) -> None:
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert process_environment({})["SANIC_WORKERS"] == "2"
    assert process_environment({"SANIC_WORKERS": "1"})["SANIC_WORKERS"] == "1"
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert process_environment({})["SANIC_WORKERS"] == "1"


def test_the_daily_retention_run_is_part_of_the_stack() -> None:
    assert "purge" in processes({})
