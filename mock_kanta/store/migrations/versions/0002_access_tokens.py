"""The access tokens (mock_kanta.access): access_tokens and the one-row access_generation. A database whose
tables were made by the access area before this revision existed keeps them.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "access_generation" not in existing:
        op.create_table(
            "access_generation",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("value", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if "access_tokens" not in existing:
        op.create_table(
            "access_tokens",
            sa.Column("tenant", sa.String(length=64), nullable=False),
            sa.Column("id", sa.String(length=40), nullable=False),
            sa.Column("tenant_created_at", sa.String(length=40), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("label", sa.String(length=200), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.String(length=40), nullable=False),
            sa.Column("revoked_at", sa.String(length=40), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("hash"),
        )
        op.create_index(op.f("ix_access_tokens_tenant"), "access_tokens", ["tenant"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_access_tokens_tenant"), table_name="access_tokens")
    op.drop_table("access_tokens")
    op.drop_table("access_generation")
