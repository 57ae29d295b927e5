"""Every identifier form through every public edge, then every file the stack
wrote (database, WAL, logs, lock store) searched for it (issue 14).

Resident registration numbers, application numbers, birth dates and mobile
numbers, in ASCII and full width, alone and inside the status form, are sent
through the REST channel, the web gateway, the Telegram webhook and the
KakaoTalk skill. None of their digits may be found on disk afterwards.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path
from typing import Dict, List

import aiohttp

from tests.channels.kakao.conftest import skill_request
from tests.support.edges import Edges, public_edges

FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)} | {0x20: 0x3000}

# Digits no seed, timestamp or port is likely to contain, each in several forms.
MESSAGES = [
    "제 주민번호는 850312-2987651이에요",
    "주민등록번호 8503122987651",
    "850312 2987651 입니다",
    "８５０３１２－２９８７６５１",
    "2026-0735914 처리 상태 알려주세요",
    "1963년 7월 29일",
    "접수번호 20260735914 생일 630729",
    "２０２６－０７３５９１４ 상태요",
    "my date of birth is July 29, 1963",
    "born 29 July 1963",
    "１９６３．７．２９",
    "연락처는 010-3859-2741이에요",
]
SECRETS = [
    "2987651", "850312", "0735914", "630729", "19630729", "1963-07-29", "1963년 7월 29일", "July 29, 1963",
    "29 July 1963", "3859-2741", "38592741",
]
# (Six digits and more only: shorter runs turn up by chance in the hex of salts, hashes and message ids.)


def _every_form(secret: str) -> List[bytes]:
    forms = {secret, secret.translate(FULL_WIDTH)}
    return [form.encode("utf-8") for form in forms] + [json.dumps(form).encode("ascii") for form in forms]


def _written(folder: Path) -> Dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


async def _send_everything(edges: Edges) -> None:
    counter = itertools.count(1)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session, aiohttp.ClientSession(timeout=timeout) as browser:
        for text in MESSAGES:
            async with session.post(edges.rest_url, json={"sender": "rest-citizen", "message": text}) as reply:
                assert reply.status == 200
            async with browser.post(f"{edges.gateway_url}/api/messages", json={"message": text}) as reply:
                assert reply.status == 200, await reply.text()
            update = {"update_id": next(counter), "message": {
                "message_id": next(counter), "date": 1_764_000_000, "text": text,
                "chat": {"id": 777001, "type": "private"},
                "from": {"id": 777001, "is_bot": False, "first_name": "시민", "language_code": "ko"}}}
            async with session.post(edges.telegram_url, json=update, headers=edges.telegram_headers) as reply:
                assert reply.status == 200
            body = skill_request(text, "kakao-citizen-0001")
            async with session.post(edges.kakao_url, json=body, headers=edges.kakao_headers) as reply:
                assert reply.status == 200


async def test_no_identifier_reaches_any_file_through_any_channel(tmp_path: Path) -> None:
    async with public_edges(tmp_path) as edges:
        await _send_everything(edges)
        assert edges.bot_api.chats[777001] > 0  # Telegram got its answers
        written = _written(tmp_path)  # while running: the WAL and the logs as they are
        database = edges.stack.database_url.replace("sqlite:///", "")
        with sqlite3.connect(database) as connection:
            senders = {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events WHERE type_name = 'user'")}
        assert len(senders) >= 4, senders  # one conversation per channel was stored
    written.update({f"{name} (after stop)": data for name, data in _written(tmp_path).items()})
    assert any(name.endswith(".db") for name in written) and any("log" in name for name in written)
    found = [
        (secret, name) for secret in SECRETS for name, data in written.items()
        if any(form in data for form in _every_form(secret))
    ]
    assert found == []
