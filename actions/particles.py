"""Korean particles chosen for the word they follow, after a value is filled in.

A response template cannot know whether ``{channel}`` ends in a consonant, so
it writes the particle's after-consonant form behind a caret: ``{channel}^으로``,
``{channel}({link})^이나``. :func:`attach_particles` replaces each marked
particle with the form that fits the last word before it, looking past a
parenthesis (a link, a phone number) and closing quotes, the way the sentence
is read aloud: "안전신문고 신고(https://…)나", "정보공개청구로", "국민신문고 민원 신청으로".
"""

from __future__ import annotations

import re

# After-consonant form -> after-vowel form.
_FORMS = {
    "이에요": "예요",
    "이라고": "라고",
    "이라서": "라서",
    "이나": "나",
    "이랑": "랑",
    "으로": "로",
    "은": "는",
    "이": "가",
    "을": "를",
    "과": "와",
}
_MARKED = re.compile(r"\^(" + "|".join(sorted(_FORMS, key=len, reverse=True)) + ")")
_TRAILING_ASIDE = re.compile(r"\s*\([^()]*\)\s*$")
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the final consonants: "서울로", not "서울으로"
# How digits and Latin letters are read: 1 일, 3 삼, 6 육, 7 칠, 8 팔, 0 영; L 엘, M 엠, N 엔, R 알.
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "3": "ㅁ", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ"}
_LETTER_FINAL = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}


def _final(char: str) -> str | None:
    """The final consonant heard at the end of ``char`` ("ㄹ" marks a rieul), or None."""
    code = ord(char)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        index = (code - _HANGUL_FIRST) % 28
        if index == 0:
            return None
        return "ㄹ" if index == _RIEUL else "other"
    if char.isdigit():
        return _DIGIT_FINAL.get(char)
    return _LETTER_FINAL.get(char.lower())


def particle_for(word: str, consonant_form: str) -> str:
    """The form of a particle (given in its after-consonant form) that follows ``word``."""
    word = word.rstrip(" '\"’”」』")
    while True:
        stripped = _TRAILING_ASIDE.sub("", word)
        if stripped == word:
            break
        word = stripped.rstrip(" '\"’”」』")
    final = _final(word[-1]) if word else None
    if final is None or (final == "ㄹ" and consonant_form == "으로"):
        return _FORMS[consonant_form]
    return consonant_form


def attach_particles(text: str) -> str:
    """``text`` with every ``^particle`` replaced by the form that fits the word before it."""
    out = []
    position = 0
    for match in _MARKED.finditer(text):
        out.append(text[position:match.start()])
        out.append(particle_for("".join(out), match.group(1)))
        position = match.end()
    out.append(text[position:])
    return "".join(out)
