"""Synthetic service catalogues of any size, made from the real one, for benchmarks and tests.

The national catalogue holds about 11,000 services, most of them regional or
group-specific versions of a few hundred programmes. This script builds such a
catalogue from the real services in ``knowledge/catalogue``: every real
service is kept as it is, and each new one combines a real service with a
region (province, city or district) and, often, a target group::

    부산광역시 청년 월세 지원     /  Busan youth monthly rent support
    수원시 어르신 국가건강검진    /  Suwon senior national health screening

Each synthetic service gets aliases made from the real service's aliases with
the region's short name ("부산 청년월세", "Busan youth rent support") and an
agency for its region ("부산광역시청"). All other fields are copied from the
real service, marked ``illustrative``. The output is deterministic for a given
size and seed.

    python -m scripts.synthetic_catalogue --size 1000 --out var/synthetic-1000
    python -m scripts.synthetic_catalogue --size 10000 --database sqlite:///var/synthetic.db
    python -m scripts.synthetic_catalogue --size 10000 --gov24 var/synthetic-gov24

The folder has the catalogue layout (``agencies.yml``, ``life_events.yml``,
``services/*.yml``) and imports with ``python -m knowledge import``; with
``--database`` the catalogue is validated and imported directly (as the
importer does, audit rows included). With ``--gov24`` the same services are
written in the national catalogue's format (보조금24 ``serviceList.json`` and
``serviceDetail.json`` pages, Korean only) for ``python -m knowledge import-gov24``.
"""

from __future__ import annotations

import argparse
import copy
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.schema import CatalogueDocument, load_documents  # noqa: E402

CATALOGUE_DIR = ROOT / "knowledge" / "catalogue"
DEFAULT_SEED = 13
SERVICES_PER_FILE = 500


@dataclass(frozen=True)
class Region:
    """A province, city or district that runs its own version of services."""

    slug: str
    ko: str
    short_ko: str
    en: str


@dataclass(frozen=True)
class Group:
    """A target group a regional programme is for (empty for everyone)."""

    slug: str
    ko: str
    en: str


REGIONS: Tuple[Region, ...] = tuple(
    Region(*row)
    for row in (
        ("seoul", "서울특별시", "서울", "Seoul"),
        ("busan", "부산광역시", "부산", "Busan"),
        ("daegu", "대구광역시", "대구", "Daegu"),
        ("incheon", "인천광역시", "인천", "Incheon"),
        ("gwangju", "광주광역시", "광주", "Gwangju"),
        ("daejeon", "대전광역시", "대전", "Daejeon"),
        ("ulsan", "울산광역시", "울산", "Ulsan"),
        ("sejong", "세종특별자치시", "세종", "Sejong"),
        ("gyeonggi", "경기도", "경기", "Gyeonggi"),
        ("gangwon", "강원특별자치도", "강원", "Gangwon"),
        ("chungbuk", "충청북도", "충북", "Chungbuk"),
        ("chungnam", "충청남도", "충남", "Chungnam"),
        ("jeonbuk", "전북특별자치도", "전북", "Jeonbuk"),
        ("jeonnam", "전라남도", "전남", "Jeonnam"),
        ("gyeongbuk", "경상북도", "경북", "Gyeongbuk"),
        ("gyeongnam", "경상남도", "경남", "Gyeongnam"),
        ("jeju", "제주특별자치도", "제주", "Jeju"),
        ("suwon", "수원시", "수원", "Suwon"),
        ("seongnam", "성남시", "성남", "Seongnam"),
        ("goyang", "고양시", "고양", "Goyang"),
        ("yongin", "용인시", "용인", "Yongin"),
        ("bucheon", "부천시", "부천", "Bucheon"),
        ("ansan", "안산시", "안산", "Ansan"),
        ("anyang", "안양시", "안양", "Anyang"),
        ("namyangju", "남양주시", "남양주", "Namyangju"),
        ("hwaseong", "화성시", "화성", "Hwaseong"),
        ("pyeongtaek", "평택시", "평택", "Pyeongtaek"),
        ("uijeongbu", "의정부시", "의정부", "Uijeongbu"),
        ("paju", "파주시", "파주", "Paju"),
        ("siheung", "시흥시", "시흥", "Siheung"),
        ("gimpo", "김포시", "김포", "Gimpo"),
        ("gwangmyeong", "광명시", "광명", "Gwangmyeong"),
        ("cheongju", "청주시", "청주", "Cheongju"),
        ("chungju", "충주시", "충주", "Chungju"),
        ("cheonan", "천안시", "천안", "Cheonan"),
        ("asan", "아산시", "아산", "Asan"),
        ("jeonju", "전주시", "전주", "Jeonju"),
        ("iksan", "익산시", "익산", "Iksan"),
        ("gunsan", "군산시", "군산", "Gunsan"),
        ("mokpo", "목포시", "목포", "Mokpo"),
        ("yeosu", "여수시", "여수", "Yeosu"),
        ("suncheon", "순천시", "순천", "Suncheon"),
        ("pohang", "포항시", "포항", "Pohang"),
        ("gyeongju", "경주시", "경주", "Gyeongju"),
        ("gumi", "구미시", "구미", "Gumi"),
        ("andong", "안동시", "안동", "Andong"),
        ("changwon", "창원시", "창원", "Changwon"),
        ("gimhae", "김해시", "김해", "Gimhae"),
        ("jinju", "진주시", "진주", "Jinju"),
        ("yangsan", "양산시", "양산", "Yangsan"),
        ("geoje", "거제시", "거제", "Geoje"),
        ("tongyeong", "통영시", "통영", "Tongyeong"),
        ("chuncheon", "춘천시", "춘천", "Chuncheon"),
        ("wonju", "원주시", "원주", "Wonju"),
        ("gangneung", "강릉시", "강릉", "Gangneung"),
        ("jejusi", "제주시", "제주시", "Jeju City"),
        ("seogwipo", "서귀포시", "서귀포", "Seogwipo"),
        ("gangnam", "서울 강남구", "강남구", "Gangnam-gu"),
        ("seocho", "서울 서초구", "서초구", "Seocho-gu"),
        ("songpa", "서울 송파구", "송파구", "Songpa-gu"),
        ("mapo", "서울 마포구", "마포구", "Mapo-gu"),
        ("jongno", "서울 종로구", "종로구", "Jongno-gu"),
        ("gwanak", "서울 관악구", "관악구", "Gwanak-gu"),
        ("nowon", "서울 노원구", "노원구", "Nowon-gu"),
        ("eunpyeong", "서울 은평구", "은평구", "Eunpyeong-gu"),
        ("haeundae", "부산 해운대구", "해운대구", "Haeundae-gu"),
        ("saha", "부산 사하구", "사하구", "Saha-gu"),
        ("suseong", "대구 수성구", "수성구", "Suseong-gu"),
        ("yeonsu", "인천 연수구", "연수구", "Yeonsu-gu"),
        ("bupyeong", "인천 부평구", "부평구", "Bupyeong-gu"),
        ("yuseong", "대전 유성구", "유성구", "Yuseong-gu"),
        ("gwangsan", "광주 광산구", "광산구", "Gwangsan-gu"),
    )
)

GROUPS: Tuple[Group, ...] = tuple(
    Group(*row)
    for row in (
        ("all", "", ""),
        ("youth", "청년", "youth"),
        ("senior", "어르신", "senior"),
        ("multicultural", "다문화가족", "multicultural family"),
        ("single_parent", "한부모가족", "single-parent family"),
        ("small_business", "소상공인", "small business"),
        ("farmer", "농어업인", "farmers and fishers"),
        ("newlywed", "신혼부부", "newlywed"),
        ("low_income", "저소득층", "low-income"),
        ("single_household", "1인가구", "single-person household"),
        ("veteran", "보훈대상자", "veterans"),
    )
)

_BRACKETS = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class SyntheticService:
    """What a synthetic service was made from (for queries that name it)."""

    service_id: str
    base_id: str
    region: Region
    group: Group
    name_ko: str
    name_en: str
    base_ko: str
    base_en: str


def load_real(path: Path = CATALOGUE_DIR) -> List[CatalogueDocument]:
    """The real catalogue's documents (raises ``ValueError`` when a file is invalid)."""
    documents, issues = load_documents(path)
    if issues:
        raise ValueError("; ".join(str(issue) for issue in issues))
    return documents


def _plain(name: str) -> str:
    """A name without its bracketed part: "실업급여 (구직급여)" -> "실업급여"."""
    return _BRACKETS.sub("", name).strip()


def _agency_id(region: Region) -> str:
    return f"region_{region.slug}"


def _agency(region: Region) -> Dict[str, Any]:
    office_ko = f"{region.ko}청"
    return {
        "id": _agency_id(region),
        "name": {"ko": office_ko, "en": f"{region.en} local government"},
        "phone": "120",
        "hours": {"ko": "평일 09:00~18:00", "en": "Weekdays 09:00-18:00"},
    }


# Services already meant for one group ("청년월세 지원", "장애인연금") get no other.
_TARGETED_KO = ("청년", "노인", "장애인", "아동", "부모", "외국인", "출산", "육아", "보육", "장학")


def _combinations(bases: Sequence[Dict[str, Any]], seed: int) -> Iterator[Tuple[Dict[str, Any], Region, Group]]:
    """Every (service, region, group) that makes a sensible name, in a seeded order."""
    combos = []
    for base in bases:
        targeted = any(word in base["name"]["ko"] for word in _TARGETED_KO)
        for region in REGIONS:
            for group in GROUPS:
                if group.ko and targeted:
                    continue
                combos.append((base, region, group))
    random.Random(seed).shuffle(combos)
    return iter(combos)


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _synthetic_entry(
    number: int, base: Dict[str, Any], region: Region, group: Group, rng: random.Random
) -> Tuple[Dict[str, Any], SyntheticService]:
    base_ko, base_en = _plain(base["name"]["ko"]), _plain(base["name"]["en"])
    name_ko = _joined(region.ko, group.ko, base_ko)
    name_en = _joined(region.en, group.en, base_en)
    aliases = base.get("aliases") or {}
    ko_aliases = list(aliases.get("ko") or [])
    en_aliases = list(aliases.get("en") or [])
    alias_ko = [_joined(region.short_ko, group.ko, alias) for alias in rng.sample(ko_aliases, min(2, len(ko_aliases)))]
    alias_ko.append(_joined(region.short_ko, group.ko, base_ko))
    alias_en = [_joined(region.en, group.en, alias) for alias in rng.sample(en_aliases, min(2, len(en_aliases)))]
    service_id = f"s{number:05d}_{base['id']}"[:64].rstrip("_")
    entry = copy.deepcopy(base)
    entry.update(
        id=service_id,
        agency=_agency_id(region),
        name={"ko": name_ko, "en": name_en},
        aliases={"ko": list(dict.fromkeys(alias_ko)), "en": list(dict.fromkeys(alias_en))},
        illustrative=True,
    )
    entry.pop("life_events", None)
    entry["overview"] = {
        "ko": f"{region.ko}에서 운영하는 {_joined(group.ko, base_ko)} 안내입니다(합성 예시 데이터). "
        + base["overview"]["ko"],
        "en": f"{region.en}'s own {_joined(group.en, base_en)} (synthetic example data). " + base["overview"]["en"],
    }
    made = SyntheticService(service_id, base["id"], region, group, name_ko, name_en, base_ko, base_en)
    return entry, made


def generate(
    size: int, seed: int = DEFAULT_SEED, path: Path = CATALOGUE_DIR
) -> Tuple[List[CatalogueDocument], List[SyntheticService]]:
    """A catalogue of ``size`` services: the real ones plus ``size`` minus their number synthetic ones.

    Returns the documents (real files first, then agencies for the regions and
    synthetic service files of :data:`SERVICES_PER_FILE` entries) and what each
    synthetic service was made from. A size at or below the real catalogue's
    gives the real catalogue unchanged. Raises ``ValueError`` when ``size`` is
    more than the combinations available.
    """
    documents = load_real(path)
    bases = [entry for document in documents for entry in document.services]
    wanted = max(0, size - len(bases))
    rng = random.Random(seed)
    made: List[SyntheticService] = []
    entries: List[Dict[str, Any]] = []
    regions: Dict[str, Region] = {}
    for number, (base, region, group) in enumerate(_combinations(bases, seed), start=1):
        if len(entries) >= wanted:
            break
        entry, synthetic = _synthetic_entry(number, base, region, group, rng)
        entries.append(entry)
        made.append(synthetic)
        regions[region.slug] = region
    if len(entries) < wanted:
        raise ValueError(f"at most {len(bases) + len(entries)} services can be made, not {size}")
    if entries:
        agencies = [_agency(region) for region in REGIONS if region.slug in regions]
        documents.append(CatalogueDocument("synthetic/agencies.yml", agencies=agencies))
        for start in range(0, len(entries), SERVICES_PER_FILE):
            label = f"services/synthetic_{start // SERVICES_PER_FILE + 1:03d}.yml"
            documents.append(CatalogueDocument(label, services=entries[start : start + SERVICES_PER_FILE]))
    return documents, made


def write_yaml(documents: Sequence[CatalogueDocument], folder: Path) -> List[Path]:
    """Write ``documents`` under ``folder`` in the catalogue layout; returns the files written."""
    written = []
    for document in documents:
        target = folder / document.label
        target.parent.mkdir(parents=True, exist_ok=True)
        body: Dict[str, Any] = {}
        for section in ("agencies", "services", "life_events"):
            items = getattr(document, section)
            if items:
                body[section] = items
        target.write_text(
            "# Synthetic catalogue made by scripts/synthetic_catalogue.py (illustrative, not real services).\n"
            + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=200),
            encoding="utf-8",
        )
        written.append(target)
    return written


def write_gov24(documents: Sequence[CatalogueDocument], folder: Path, per_page: int = 1000) -> List[Path]:
    """Write the services of ``documents`` as national-format pages under ``folder``; returns the files.

    Each service becomes the record ``python -m knowledge export-gov24`` would
    write for it (its 서비스ID is the catalogue id); the category (서비스분야)
    is the service's file.
    """
    from knowledge.gov24_export import service_record
    from knowledge.gov24_format import list_item, write_pages

    agencies = {
        agency["id"]: agency["name"]["ko"] for document in documents for agency in document.agencies
    }
    records = []
    for document in documents:
        category = Path(document.label).stem
        for entry in document.services:
            record = service_record(entry, agencies.get(entry["agency"], entry["agency"]), None)
            record["서비스분야"] = category
            records.append(record)
    written = write_pages([list_item(record) for record in records], folder, "serviceList", per_page)
    return written + write_pages(records, folder, "serviceDetail", per_page)


def load_into(database_url: str, documents: Sequence[CatalogueDocument], actor: str = "synthetic") -> int:
    """Validate and import ``documents`` into the database at ``database_url``; returns the services created."""
    from core.db import create_schema, get_engine
    from knowledge.importer import import_documents

    engine = create_schema(get_engine(database_url))
    report = import_documents(engine, documents, actor=actor)
    return sum(1 for item in report.created if item.startswith("service:"))


def queries_for(services: Sequence[SyntheticService], count: int, seed: int = DEFAULT_SEED) -> List[Tuple[str, str]]:
    """``count`` (expected service id, question) pairs naming synthetic services as citizens would.

    Half are Korean ("부산 청년 여권 재발급 어떻게 신청해요?"), half English;
    every other one of each has a typo in the service's own words.
    """
    rng = random.Random(seed)
    chosen = rng.sample(list(services), min(count, len(services)))
    pairs = []
    for number, service in enumerate(chosen):
        if number % 2 == 0:
            words = _joined(service.region.short_ko, service.group.ko, service.base_ko)
            if number % 4 == 0:
                words = _typo(words, rng)
            pairs.append((service.service_id, f"{words} 어떻게 신청해요?"))
        else:
            words = service.name_en
            if number % 4 == 1:
                words = _typo(words, rng)
            pairs.append((service.service_id, f"how do I apply for {words}?"))
    return pairs


# Vowels typed for one another ("관게" for "관계"), as indexes of the medial jamo.
_NEAR_VOWELS = {0: 2, 2: 0, 1: 5, 5: 1, 3: 7, 7: 3, 4: 8, 8: 4, 6: 12, 12: 6, 13: 18, 18: 13, 19: 20, 20: 19}


def _typo(text: str, rng: random.Random) -> str:
    """``text`` with one typo in its last long word: two neighbouring letters
    swapped in English, one vowel typed for a similar one in Korean."""
    words = text.split(" ")
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if _is_hangul(word) and len(word) >= 4:
            at = rng.randrange(1, len(word))
            code = ord(word[at]) - 0xAC00
            vowel = (code % 588) // 28
            changed = code - vowel * 28 + _NEAR_VOWELS.get(vowel, vowel) * 28
            words[index] = word[:at] + chr(0xAC00 + changed) + word[at + 1 :]
            break
        if not _is_hangul(word) and len(word) >= 6:
            at = rng.randrange(1, len(word) - 2)
            words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
            break
    return " ".join(words)


def _is_hangul(word: str) -> bool:
    return all("가" <= char <= "힣" for char in word)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write a synthetic catalogue to a folder or load it into a database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True, help="services in all, e.g. 1000 or 10000")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="folder to write the YAML catalogue to")
    target.add_argument("--database", help="database URL to import into, e.g. sqlite:///var/synthetic.db")
    target.add_argument("--gov24", type=Path, help="folder to write national-format (보조금24) JSON pages to")
    args = parser.parse_args(argv)
    documents, made = generate(args.size, args.seed)
    if args.out:
        files = write_yaml(documents, args.out)
        print(f"wrote {len(files)} files ({len(made)} synthetic services) under {args.out}")
    elif args.gov24:
        files = write_gov24(documents, args.gov24)
        print(f"wrote {len(files)} national-format pages ({len(made)} synthetic services) under {args.gov24}")
    else:
        created = load_into(args.database, documents)
        print(f"imported {created} services ({len(made)} synthetic) into {args.database}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
