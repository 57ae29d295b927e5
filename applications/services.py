"""Who handles which service: the names and contacts an application row copies.

An application keeps its own copy of the service name and the handling office,
so the reply names them even if the catalogue changes later. This table gives
the defaults for the staff CLI and the sample data; the CLI can override every
field, and a service that is not listed needs its names given explicitly.
Phone numbers are the agencies' public call centres (illustrative sample data,
check them against knowledge/catalogue/agencies.yml before use).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple


@dataclass(frozen=True)
class Agency:
    """A government body and its public phone line."""

    name_ko: str
    name_en: str
    phone: str


@dataclass(frozen=True)
class ServiceProfile:
    """Defaults for applications to one service."""

    service_id: str
    name_ko: str
    name_en: str
    agency: Agency
    offices: Tuple[Tuple[str, str], ...]  # (Korean, English) names of handling offices
    processing_days: int
    issues_document: bool  # completion means a card, passport or certificate is ready


MOFA = Agency("외교부", "Ministry of Foreign Affairs", "02-2100-2114")
MOHW = Agency("보건복지부", "Ministry of Health and Welfare", "129")
MOEL = Agency("고용노동부", "Ministry of Employment and Labor", "1350")
NTS = Agency("국세청", "National Tax Service", "126")
MOJ = Agency("법무부 출입국·외국인정책본부", "Korea Immigration Service", "1345")
ACRC = Agency("국민권익위원회", "Anti-Corruption and Civil Rights Commission", "110")
MOIS = Agency("행정안전부", "Ministry of the Interior and Safety", "1588-2188")
MOLIT = Agency("국토교통부", "Ministry of Land, Infrastructure and Transport", "1599-0001")
KOROAD = Agency("도로교통공단", "Korea Road Traffic Authority", "1577-1120")

PASSPORT_OFFICES = (
    ("종로구청 여권민원실", "Passport Office, Jongno-gu Office"),
    ("마포구청 여권민원실", "Passport Office, Mapo-gu Office"),
    ("강남구청 여권민원실", "Passport Office, Gangnam-gu Office"),
    ("부산광역시청 여권민원실", "Passport Office, Busan City Hall"),
)
COMMUNITY_CENTRES = (
    (
        "청운효자동 행정복지센터 (서울 종로구)",
        "Cheongunhyoja-dong Community Service Center, Jongno-gu, Seoul",
    ),
    ("서교동 행정복지센터 (서울 마포구)", "Seogyo-dong Community Service Center, Mapo-gu, Seoul"),
    ("역삼1동 행정복지센터 (서울 강남구)", "Yeoksam 1-dong Community Service Center, Gangnam-gu, Seoul"),
    ("우1동 행정복지센터 (부산 해운대구)", "U 1-dong Community Service Center, Haeundae-gu, Busan"),
    ("범어1동 행정복지센터 (대구 수성구)", "Beomeo 1-dong Community Service Center, Suseong-gu, Daegu"),
)
EMPLOYMENT_CENTRES = (
    ("서울고용복지플러스센터", "Seoul Employment Welfare Plus Center"),
    ("서울강남고용복지플러스센터", "Seoul Gangnam Employment Welfare Plus Center"),
    ("부산고용복지플러스센터", "Busan Employment Welfare Plus Center"),
)
TAX_OFFICES = (
    ("종로세무서 민원봉사실", "Taxpayer Service Desk, Jongno Tax Office"),
    ("마포세무서 민원봉사실", "Taxpayer Service Desk, Mapo Tax Office"),
    ("해운대세무서 민원봉사실", "Taxpayer Service Desk, Haeundae Tax Office"),
)
IMMIGRATION_OFFICES = (
    ("서울출입국·외국인청", "Seoul Immigration Office"),
    ("수원출입국·외국인청", "Suwon Immigration Office"),
    ("부산출입국·외국인청", "Busan Immigration Office"),
)
DISTRICT_OFFICES = (
    ("종로구청 민원여권과", "Civil Affairs Division, Jongno-gu Office"),
    ("마포구청 민원여권과", "Civil Affairs Division, Mapo-gu Office"),
    ("해운대구청 민원여권과", "Civil Affairs Division, Haeundae-gu Office"),
)
DISCLOSURE_DESKS = (
    ("종로구청 정보공개 담당", "Information Disclosure Desk, Jongno-gu Office"),
    ("행정안전부 정보공개 담당", "Information Disclosure Desk, Ministry of the Interior and Safety"),
)
LICENCE_OFFICES = (
    ("서울강남운전면허시험장", "Seoul Gangnam Driver's License Examination Office"),
    ("서울도봉운전면허시험장", "Seoul Dobong Driver's License Examination Office"),
    ("부산남부운전면허시험장", "Busan Nambu Driver's License Examination Office"),
)

_PROFILES: Tuple[ServiceProfile, ...] = (
    ServiceProfile(
        "passport_issue",
        "여권 발급 (신규)",
        "Passport issuance (first passport)",
        MOFA,
        PASSPORT_OFFICES,
        10,
        True,
    ),
    ServiceProfile(
        "passport_reissue", "여권 재발급", "Passport reissuance", MOFA, PASSPORT_OFFICES, 10, True
    ),
    ServiceProfile("child_allowance", "아동수당", "Child allowance", MOHW, COMMUNITY_CENTRES, 30, False),
    ServiceProfile("parent_benefit", "부모급여", "Parent benefit", MOHW, COMMUNITY_CENTRES, 30, False),
    ServiceProfile("basic_pension", "기초연금", "Basic pension", MOHW, COMMUNITY_CENTRES, 30, False),
    ServiceProfile(
        "disability_registration", "장애인 등록", "Disability registration", MOHW, COMMUNITY_CENTRES, 30, True
    ),
    ServiceProfile(
        "unemployment_benefit",
        "구직급여(실업급여)",
        "Unemployment benefit",
        MOEL,
        EMPLOYMENT_CENTRES,
        14,
        False,
    ),
    ServiceProfile(
        "parental_leave_benefit",
        "육아휴직 급여",
        "Parental leave benefit",
        MOEL,
        EMPLOYMENT_CENTRES,
        14,
        False,
    ),
    ServiceProfile("business_registration", "사업자등록", "Business registration", NTS, TAX_OFFICES, 3, True),
    ServiceProfile(
        "foreigner_registration",
        "외국인등록",
        "Foreign resident registration",
        MOJ,
        IMMIGRATION_OFFICES,
        21,
        True,
    ),
    ServiceProfile(
        "stay_extension",
        "체류기간 연장허가",
        "Extension of period of stay",
        MOJ,
        IMMIGRATION_OFFICES,
        14,
        False,
    ),
    ServiceProfile(
        "epeople_petition", "국민신문고 민원", "e-People petition", ACRC, DISTRICT_OFFICES, 7, False
    ),
    ServiceProfile(
        "information_disclosure_request",
        "정보공개청구",
        "Information disclosure request",
        MOIS,
        DISCLOSURE_DESKS,
        10,
        False,
    ),
    ServiceProfile("housing_benefit", "주거급여", "Housing benefit", MOLIT, COMMUNITY_CENTRES, 30, False),
    ServiceProfile(
        "youth_monthly_rent_support",
        "청년월세 지원",
        "Youth monthly rent support",
        MOLIT,
        COMMUNITY_CENTRES,
        30,
        False,
    ),
    ServiceProfile(
        "driver_license_renewal",
        "운전면허 갱신",
        "Driver's licence renewal",
        KOROAD,
        LICENCE_OFFICES,
        14,
        True,
    ),
    ServiceProfile(
        "resident_card_reissue",
        "주민등록증 재발급",
        "Resident registration card reissuance",
        MOIS,
        COMMUNITY_CENTRES,
        21,
        True,
    ),
)

SERVICE_PROFILES: Dict[str, ServiceProfile] = {profile.service_id: profile for profile in _PROFILES}


def get_profile(service_id: str) -> ServiceProfile | None:
    """The defaults for ``service_id``, or None when it is not in the table."""
    return SERVICE_PROFILES.get(service_id)
