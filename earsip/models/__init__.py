"""SQLAlchemy models: the database is the source of truth for documents, files and the index.

One module per area; everything is importable from `earsip.models`.
"""

from earsip.models.accounts import (
    ApiToken,
    LoginFailure,
    LoginThrottle,
    NotificationMark,
    User,
    UserRole,
)
from earsip.models.audit import AuditCheckpoint, AuditEntry
from earsip.models.base import NAMING, Base, utcnow
from earsip.models.cases import (
    CalendarDay,
    CalendarYear,
    Case,
    CaseDocument,
    CaseEvent,
    CasePerson,
    DeadlineRule,
    DeadlineRuleVersion,
    ElectionPeriod,
    GuestVisit,
)
from earsip.models.declassification import DeclassificationRequest
from earsip.models.desk import (
    ClassifierModel,
    Disposition,
    IncomingLetter,
    LetterDocument,
    NumberSequence,
    OutgoingLetter,
)
from earsip.models.disposition import (
    DisposalItem,
    DisposalList,
    HoldDocument,
    LegalHold,
    Transfer,
    TransferItem,
)
from earsip.models.offices import Office
from earsip.models.operations import FixityRun, Job, TaskRun
from earsip.models.public import PublicLimitCount
from earsip.models.records import (
    Classification,
    Document,
    DocumentTag,
    DocumentText,
    IndexQueue,
)

__all__ = [
    "NAMING", "ApiToken", "AuditCheckpoint", "AuditEntry", "Base", "CalendarDay", "CalendarYear",
    "Case", "CaseDocument", "CaseEvent", "CasePerson", "Classification",
    "DeadlineRule", "DeadlineRuleVersion", "ElectionPeriod", "GuestVisit",
    "ClassifierModel",
    "DeclassificationRequest", "DisposalItem", "Disposition", "IncomingLetter",
    "LetterDocument", "NumberSequence", "OutgoingLetter", "DisposalList", "Document", "DocumentTag",
    "DocumentText", "FixityRun", "HoldDocument", "IndexQueue", "Job", "LegalHold",
    "LoginFailure", "LoginThrottle", "NotificationMark", "Office", "PublicLimitCount", "TaskRun",
    "Transfer", "TransferItem",
    "User", "UserRole",
    "utcnow",
]
