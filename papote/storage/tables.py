"""The schema, as SQLAlchemy Core tables. Migrations in `migrations/` mirror it.

Times are integer milliseconds since the epoch (UTC): portable across SQLite and
PostgreSQL and cheap to compare; they are formatted with a time zone at the edges.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("pseudo_key", String(40), nullable=False, unique=True),
    Column("role", String(20), nullable=False, server_default="user"),
    Column("created_ms", BigInteger, nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pseudo", String(20), nullable=False),
    Column("pseudo_key", String(40), nullable=False, index=True),
    Column("birth_date", Date, nullable=False),
    Column("age_band", String(10), nullable=False),
    Column("gender", String(10)),
    Column("departement", String(3)),
    Column("account_id", Integer, ForeignKey("accounts.id"), unique=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("last_seen_ms", BigInteger, nullable=False),
    # Restrictions carried out by the safety pipeline and, later, by moderators.
    Column("muted_until_ms", BigInteger),
    Column("suspended_until_ms", BigInteger),
    Column("private_restricted", Boolean, nullable=False, server_default=false()),
)

# Who holds a pseudonym right now. A guest's claim ends with its session; an account's never does.
pseudo_claims = Table(
    "pseudo_claims",
    metadata,
    Column("pseudo_key", String(40), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("expires_ms", BigInteger),  # NULL: held by a registered account
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
)

rooms = Table(
    "rooms",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(40), nullable=False),
    Column("topic", String(200), nullable=False, server_default=""),
    Column("audience", String(10), nullable=False),
    Column("kind", String(10), nullable=False),  # public | private
    Column("owner_id", Integer, ForeignKey("people.id")),
    Column("position", Integer, nullable=False, server_default="100"),
    Column("created_ms", BigInteger, nullable=False),
    Column("slow_mode_seconds", Integer, nullable=False, server_default="0"),
    # Emergency tools moderators switch on (papote/moderation/room_tools.py).
    Column("registered_only", Boolean, nullable=False, server_default=false()),
    Column("hold_new_arrivals", Boolean, nullable=False, server_default=false()),
    Column("locked", Boolean, nullable=False, server_default=false()),
)

# A channel is an ordered log of messages: one per room ("r:<room>") and per private conversation ("d:<id>").
channels = Table(
    "channels",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
)

room_members = Table(
    "room_members",
    metadata,
    Column("room_id", String(40), ForeignKey("rooms.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True, index=True),
    Column("joined_ms", BigInteger, nullable=False),
    Column("last_read_seq", BigInteger, nullable=False, server_default="0"),
)

room_invitations = Table(
    "room_invitations",
    metadata,
    Column("room_id", String(40), ForeignKey("rooms.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("invited_by", Integer, ForeignKey("people.id"), nullable=False),
    Column("status", String(10), nullable=False),  # pending | accepted | declined
    Column("created_ms", BigInteger, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_low", Integer, ForeignKey("people.id"), nullable=False),
    Column("person_high", Integer, ForeignKey("people.id"), nullable=False),
    Column("requested_by", Integer, ForeignKey("people.id"), nullable=False),
    Column("status", String(10), nullable=False),  # pending | accepted | declined | blocked
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Column("last_read_low", BigInteger, nullable=False, server_default="0"),
    Column("last_read_high", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("person_low", "person_high", name="uq_conversations_pair"),
)

blocks = Table(
    "blocks",
    metadata,
    Column("blocker_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("blocked_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("created_ms", BigInteger, nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(48), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("sender_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("kind", String(10), nullable=False),  # text | action
    Column("text", Text, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("hidden", Boolean, nullable=False, server_default=false()),  # held for review or removed
    Column("flags", String(20), nullable=False, server_default=""),  # "blur", "tip", "held"
    Column("labels", String(200), nullable=False, server_default=""),  # safety labels, comma-separated
    Column("image_id", Integer, ForeignKey("images.id")),  # kind "image": the photo it carries
    UniqueConstraint("channel", "seq", name="uq_messages_channel_seq"),
    UniqueConstraint("sender_id", "client_id", name="uq_messages_sender_client"),
    Index("ix_messages_created_ms", "created_ms"),
)


# What the safety pipeline stopped or flagged, kept as evidence (never delivered when blocked).
safety_events = Table(
    "safety_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("channel", String(48), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("message_id", Integer),  # set when the message was stored (held, blurred, tip)
    Column("action", String(10), nullable=False),
    Column("labels", String(200), nullable=False),
    Column("detail", Text, nullable=False),  # JSON: scores, evidence spans, context
    Column("text", Text, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    UniqueConstraint("person_id", "client_id", name="uq_safety_events_person_client"),
)

# A case for moderators: opened by the safety pipeline now, by reports later.
cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(12), nullable=False),  # open | claimed | closed
    Column("priority", Integer, nullable=False),  # 0 is the highest
    Column("category", String(40), nullable=False),  # a safety label, "grooming", "other"...
    Column("source", String(20), nullable=False),  # automated | report | trusted_flagger
    Column("subject_id", Integer, ForeignKey("people.id")),
    Column("minor_involved", Boolean, nullable=False, server_default=false()),
    Column("channel", String(48)),
    Column("safety_event_id", Integer, ForeignKey("safety_events.id")),
    Column("summary", Text, nullable=False, server_default=""),
    Column("created_ms", BigInteger, nullable=False),
    # What a report points at (message id, pseudonym, room or conversation id): more reports join the case.
    Column("target_kind", String(20)),
    Column("target_id", String(64)),
    Column("claimed_by", Integer),  # the moderator handling it; no foreign key, like the audit log's actor
    Column("claimed_ms", BigInteger),
    Column("closed_ms", BigInteger),
    Index("ix_cases_status_priority", "status", "priority"),
    Index("ix_cases_target", "target_kind", "target_id"),
)


# An uploaded photo, checked and re-encoded. The files live in the image store, addressed by SHA-256.
images = Table(
    "images",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uploader_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("status", String(12), nullable=False),  # ready | removed | quarantined
    Column("sha256", String(64), nullable=False, index=True),  # the re-encoded file
    Column("source_sha256", String(64), nullable=False),  # the bytes as uploaded
    Column("thumbnail_sha256", String(64), nullable=False),
    Column("preview_sha256", String(64), nullable=False),  # heavily blurred thumbnail
    Column("mime", String(20), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("pdq", String(64)),
    Column("pdq_quality", Integer, nullable=False, server_default="0"),
    Column("caption", Boolean, nullable=False, server_default=false()),  # a caption band was drawn on it
    Column("nudity", Text, nullable=False, server_default="{}"),  # JSON: class -> score
    Column("created_ms", BigInteger, nullable=False, index=True),
)

# Banks of known images: imported hash lists, images added by an operator, and the internal bank fed by
# moderators' removals.
hash_banks = Table(
    "hash_banks",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("category", String(10), nullable=False),  # csam | ncii | terror | other
    Column("distance", Integer, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

bank_hashes = Table(
    "bank_hashes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("bank", String(60), ForeignKey("hash_banks.name"), nullable=False, index=True),
    Column("pdq", String(64)),
    Column("sha256", String(64)),  # exact file hash, when known
    Column("label", String(200), nullable=False, server_default=""),
    Column("source", String(200), nullable=False, server_default=""),  # file name, image hash or case
    Column("created_ms", BigInteger, nullable=False),
)

# Every moderator, administrator, operator and automated action, append-only and hash-chained
# (papote.moderation.audit). Ids are assigned by the writer, one after the other, so a gap shows a deletion.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("actor_kind", String(10), nullable=False),  # moderator | admin | system | operator
    Column("actor_id", Integer),  # the person, when there is one
    Column("action", String(40), nullable=False),  # "case.opened", "sanction.suspend"...
    Column("subject_kind", String(20), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("details", Text, nullable=False),  # canonical JSON: sorted keys, no spaces, UTF-8
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
    Index("ix_audit_log_subject", "subject_kind", "subject_id"),
)


# Connection records (IP address, source port, time) that French law (LCEN art. 6, décret 2021-1362) asks a
# host to keep one year. Written here, read only by the audited legal export; everywhere else addresses
# appear only as keyed hashes (`connection_hashes`).
connection_records = Table(
    "connection_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, nullable=False, index=True),  # no foreign key: kept after the guest is gone
    Column("kind", String(10), nullable=False),  # enter | login | connect
    Column("ip", String(45), nullable=False),
    Column("port", Integer, nullable=False),
    Column("at_ms", BigInteger, nullable=False, index=True),
)

# Keyed hashes of addresses and devices, for ban evasion and for "other pseudonyms from the same device".
connection_hashes = Table(
    "connection_hashes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, nullable=False, index=True),
    Column("ip_hash", String(64), nullable=False, index=True),
    Column("device_hash", String(64), index=True),
    Column("at_ms", BigInteger, nullable=False),
)


# Who moderates which room (people whose account role is room_moderator).
room_moderators = Table(
    "room_moderators",
    metadata,
    Column("room_id", String(40), ForeignKey("rooms.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True, index=True),
)

# A notice (DSA art. 16): from a person, a trusted flagger, or the public report page (reporter_id NULL).
reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("reporter_id", Integer, ForeignKey("people.id")),
    Column("source", String(20), nullable=False),  # report | trusted_flagger | public
    Column("kind", String(20), nullable=False),  # message | image | user | room | conversation
    Column("target_id", String(64), nullable=False),
    Column("category", String(40), nullable=False),
    Column("text", Text, nullable=False, server_default=""),
    Column("ip_hash", String(64)),  # public reports: keyed hash of the address, never the address
    Column("created_ms", BigInteger, nullable=False),
)

# Evidence frozen by a report: canonical JSON and its SHA-256. Rows are inserted, never updated (except the
# legal hold), and hold their own copy of the messages, so the retention purge may delete the originals.
evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("report_id", Integer, ForeignKey("reports.id")),
    Column("part", String(10), nullable=False),  # item | context | image | person
    Column("content", Text, nullable=False),  # canonical JSON: sorted keys, no spaces, UTF-8
    Column("sha256", String(64), nullable=False),  # of `content` encoded in UTF-8
    Column("legal_hold", Boolean, nullable=False, server_default=false()),
    Column("created_ms", BigInteger, nullable=False),
)

# A moderation decision (human or automated) and its statement of reasons (DSA art. 17).
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), index=True),
    Column("person_id", Integer, ForeignKey("people.id"), index=True),  # the person affected
    Column("moderator_id", Integer, ForeignKey("people.id")),  # NULL when automated
    Column("action", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("duration_seconds", Integer),
    Column("facts", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("automated", Boolean, nullable=False, server_default=false()),
    Column("message_id", Integer),  # remove_content: the message hidden (restored by a reversal)
    Column("created_ms", BigInteger, nullable=False),
    Column("appeal_until_ms", BigInteger, nullable=False),
    Column("reversed_ms", BigInteger),
)

# An appeal (DSA art. 20): once per decision, decided by another, human moderator.
appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=False, unique=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(10), nullable=False),  # open | upheld | reversed
    Column("created_ms", BigInteger, nullable=False),
    Column("decided_by", Integer, ForeignKey("people.id")),
    Column("decided_ms", BigInteger),
    Column("outcome_reason", Text, nullable=False, server_default=""),
)

# A room ban decided by a moderator: joining the room is refused until `until_ms`.
room_bans = Table(
    "room_bans",
    metadata,
    Column("room_id", String(40), ForeignKey("rooms.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True, index=True),
    Column("until_ms", BigInteger, nullable=False),
    Column("decision_id", Integer, ForeignKey("decisions.id")),
)

# The messages a `remove_messages` decision hid (and only those: a reversal shows exactly them again).
removed_messages = Table(
    "removed_messages",
    metadata,
    Column("decision_id", Integer, ForeignKey("decisions.id"), primary_key=True),
    Column("message_id", Integer, primary_key=True),
)
