from __future__ import annotations

import stat
from datetime import date

from applications.hashing import PEPPER_FILE_NAME, BirthDateHasher, load_pepper
from core.settings import get_settings


def test_digest_depends_on_salt_and_pepper():
    birth = date(1985, 3, 12)
    hasher = BirthDateHasher(b"pepper-a")
    salt, digest = hasher.new_record(birth)
    other_salt, other_digest = hasher.new_record(birth)
    assert salt != other_salt and digest != other_digest  # per-row random salt
    assert "1985" not in digest and len(digest) == 64
    assert hasher.matches(birth, salt, digest)
    assert not hasher.matches(date(1985, 3, 13), salt, digest)
    assert not BirthDateHasher(b"pepper-b").matches(birth, salt, digest)


def test_corrupt_salt_is_a_mismatch_not_an_error():
    assert not BirthDateHasher(b"p").matches(date(1985, 3, 12), "not-hex", "0" * 64)


def test_pepper_from_environment_wins(tmp_path):
    settings = get_settings({"ASSISTANT_HASH_SALT": "from-env", "ASSISTANT_VAR_DIR": str(tmp_path)})
    assert load_pepper(settings) == b"from-env"
    assert not (tmp_path / PEPPER_FILE_NAME).exists()


def test_pepper_file_is_created_once_with_mode_0600(tmp_path):
    settings = get_settings({"ASSISTANT_VAR_DIR": str(tmp_path / "var")})
    first = load_pepper(settings)
    second = load_pepper(settings)
    path = tmp_path / "var" / PEPPER_FILE_NAME
    assert first == second and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_loose_pepper_file_permissions_are_tightened(tmp_path):
    path = tmp_path / PEPPER_FILE_NAME
    path.write_text("abc123\n")
    path.chmod(0o644)
    assert load_pepper(get_settings({"ASSISTANT_VAR_DIR": str(tmp_path)})) == b"abc123"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
