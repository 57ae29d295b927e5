"""The life cycle of an application: statuses, their names and allowed moves."""

from __future__ import annotations

from enum import Enum
from typing import Dict, FrozenSet


class ApplicationStatus(str, Enum):
    """Where an application stands. The value is what the database stores."""

    RECEIVED = "received"  # 접수
    IN_REVIEW = "in_review"  # 처리중
    SUPPLEMENT_REQUESTED = "supplement_requested"  # 보완요청
    APPROVED = "approved"  # 승인
    REJECTED = "rejected"  # 반려
    COMPLETED = "completed"  # 처리완료 / 발급완료
    WITHDRAWN = "withdrawn"  # 취하

    @classmethod
    def parse(cls, value: str) -> ApplicationStatus:
        """The status named by ``value`` (English value or Korean label); ValueError otherwise."""
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        for status in cls:
            if key == status.value or value.strip() in KOREAN_LABELS[status]:
                return status
        raise ValueError(f"unknown status {value!r}; use one of: {', '.join(s.value for s in cls)}")


KOREAN_LABELS: Dict[ApplicationStatus, FrozenSet[str]] = {
    ApplicationStatus.RECEIVED: frozenset({"접수"}),
    ApplicationStatus.IN_REVIEW: frozenset({"처리중", "심사중"}),
    ApplicationStatus.SUPPLEMENT_REQUESTED: frozenset({"보완요청"}),
    ApplicationStatus.APPROVED: frozenset({"승인"}),
    ApplicationStatus.REJECTED: frozenset({"반려"}),
    ApplicationStatus.COMPLETED: frozenset({"처리완료", "발급완료"}),
    ApplicationStatus.WITHDRAWN: frozenset({"취하"}),
}

FINAL_STATUSES: FrozenSet[ApplicationStatus] = frozenset(
    {ApplicationStatus.REJECTED, ApplicationStatus.COMPLETED, ApplicationStatus.WITHDRAWN}
)

# The moves a clerk normally makes; anything else needs --force (a correction).
ALLOWED_MOVES: Dict[ApplicationStatus, FrozenSet[ApplicationStatus]] = {
    ApplicationStatus.RECEIVED: frozenset(
        {
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.SUPPLEMENT_REQUESTED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.IN_REVIEW: frozenset(
        {
            ApplicationStatus.SUPPLEMENT_REQUESTED,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.COMPLETED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.SUPPLEMENT_REQUESTED: frozenset(
        {ApplicationStatus.IN_REVIEW, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.APPROVED: frozenset({ApplicationStatus.COMPLETED, ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.COMPLETED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


def is_allowed_move(current: ApplicationStatus, target: ApplicationStatus) -> bool:
    """True when a clerk may move an application from ``current`` to ``target``."""
    return target in ALLOWED_MOVES[current]
