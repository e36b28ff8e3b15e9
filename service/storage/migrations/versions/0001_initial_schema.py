"""Issued cards, feedback on them, and the accepted client tokens (JWT replay protection).

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_card",
        sa.Column("card_uuid", sa.String(64), primary_key=True),
        sa.Column("service_id", sa.String(100), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("hook_instance", sa.String(255), nullable=False),
        sa.Column("suggestion_uuids", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_issued_card_rule_id", "issued_card", ["rule_id"])
    op.create_index("ix_issued_card_hook_instance", "issued_card", ["hook_instance"])

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service_id", sa.String(100), nullable=False),
        sa.Column("card_uuid", sa.String(255), nullable=False),
        sa.Column("rule_id", sa.String(100)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("accepted_suggestions", sa.JSON(), nullable=False),
        sa.Column("override_reason_system", sa.String(255)),
        sa.Column("override_reason_code", sa.String(100)),
        sa.Column("override_comment", sa.Text()),
        sa.Column("outcome_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("service_id", "card_uuid", "outcome", "outcome_timestamp",
                            name="uq_feedback_report"),
    )
    op.create_index("ix_feedback_card_uuid", "feedback", ["card_uuid"])
    op.create_index("ix_feedback_rule_id", "feedback", ["rule_id"])

    op.create_table(
        "seen_client_token",
        # 64-bit: one row per authenticated call, so a 32-bit sequence would run out within a year at
        # national load even though expired rows are purged. SQLite's rowid is 64-bit already.
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("issuer", sa.String(512), nullable=False),
        sa.Column("jti_sha256", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("issuer", "jti_sha256", name="uq_seen_client_token"),
    )
    op.create_index("ix_seen_client_token_expires_at", "seen_client_token", ["expires_at"])

