"""Baseline: the schema as it was at SCHEMA_VERSION 4, before Alembic (a database made then is stamped with
this revision, not rebuilt: store.migrate). Its schema_info row stays 4, so a mock-kanta of before Alembic
still opens a database made now.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("schema_info", "tenants", "audit_anchors", "audit_events", "clocks", "documents", "guardians", "matters",
          "organisations", "register_rights", "rehearsal_sessions", "rule_modes", "tenant_seeds", "traffic",
          "trainer_runs", "verdict_profiles", "service_units", "trainer_requests", "trainer_steps")


def upgrade() -> None:
    op.create_table('schema_info',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('version')
    )
    op.create_table('tenants',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('audit_anchors',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('purged_through_seq', sa.Integer(), nullable=False),
    sa.Column('anchor_hash', sa.String(length=64), nullable=False),
    sa.Column('purged_count', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.String(length=40), nullable=False),
    sa.Column('purged_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'purged_through_seq')
    )
    op.create_table('audit_events',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=True),
    sa.Column('card_serial', sa.String(length=64), nullable=True),
    sa.Column('card_subject', sa.String(length=400), nullable=True),
    sa.Column('organisation_oid', sa.String(length=256), nullable=True),
    sa.Column('unit_oid', sa.String(length=256), nullable=True),
    sa.Column('usage_situation', sa.String(length=16), nullable=True),
    sa.Column('client_id', sa.String(length=32), nullable=True),
    sa.Column('document_ids', sa.Text(), nullable=False),
    sa.Column('rule_ids', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sqlite_autoincrement=True
    )
    op.create_index('ix_audit_chain', 'audit_events', ['tenant_id', 'seq'], unique=False)
    op.create_index('ix_audit_client', 'audit_events', ['tenant_id', 'client_id', 'at'], unique=False)
    op.create_table('clocks',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('offset_us', sa.BigInteger(), nullable=False),
    sa.Column('frozen_at', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    op.create_table('documents',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('document_id', sa.String(length=256), nullable=False),
    sa.Column('set_id', sa.String(length=256), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('register_oid', sa.String(length=256), nullable=False),
    sa.Column('registry_type', sa.String(length=16), nullable=True),
    sa.Column('client_id', sa.String(length=32), nullable=True),
    sa.Column('service_request', sa.String(length=16), nullable=True),
    sa.Column('usage_situation', sa.String(length=16), nullable=True),
    sa.Column('document_group', sa.String(length=16), nullable=True),
    sa.Column('document_type', sa.String(length=32), nullable=True),
    sa.Column('function_code', sa.String(length=16), nullable=True),
    sa.Column('service_unit_oid', sa.String(length=256), nullable=True),
    sa.Column('sender_oid', sa.String(length=256), nullable=True),
    sa.Column('message_id', sa.String(length=300), nullable=True),
    sa.Column('transport', sa.String(length=16), nullable=True),
    sa.Column('effective_time', sa.String(length=40), nullable=True),
    sa.Column('received_at', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('replaced_by', sa.String(length=256), nullable=True),
    sa.Column('void_reason', sa.String(length=400), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=True),
    sa.Column('visible_from', sa.Date(), nullable=True),
    sa.Column('guardian_disclosure', sa.String(length=24), nullable=True),
    sa.Column('findings_json', sa.Text(), nullable=False),
    sa.Column('frame_xml', sa.LargeBinary(), nullable=False),
    sa.Column('document_xml', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('tenant_id', 'document_id', name='uq_documents_tenant_document')
    )
    op.create_index('ix_documents_client', 'documents', ['tenant_id', 'client_id'], unique=False)
    op.create_index('ix_documents_register', 'documents', ['tenant_id', 'register_oid', 'seq'], unique=False)
    op.create_index('ix_documents_set', 'documents', ['tenant_id', 'set_id'], unique=False)
    op.create_table('guardians',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('minor_client_id', sa.String(length=32), nullable=False),
    sa.Column('guardian_id', sa.String(length=32), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index('ix_guardians_guardian', 'guardians', ['tenant_id', 'guardian_id'], unique=False)
    op.create_index('ix_guardians_minor', 'guardians', ['tenant_id', 'minor_client_id'], unique=False)
    op.create_table('matters',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('matter_id', sa.String(length=256), nullable=False),
    sa.Column('organiser_oid', sa.String(length=256), nullable=False),
    sa.Column('client_id', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'matter_id')
    )
    op.create_table('organisations',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('oid', sa.String(length=256), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('business_id', sa.String(length=20), nullable=True),
    sa.Column('municipality', sa.String(length=8), nullable=True),
    sa.Column('kanta_from', sa.Date(), nullable=True),
    sa.Column('providers_from', sa.Date(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'oid')
    )
    op.create_table('register_rights',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('organiser_oid', sa.String(length=256), nullable=False),
    sa.Column('client_id', sa.String(length=32), nullable=False),
    sa.Column('relationship_id', sa.String(length=256), nullable=False),
    sa.Column('source_document_id', sa.String(length=256), nullable=False),
    sa.Column('source_set_id', sa.String(length=256), nullable=False),
    sa.Column('source_version', sa.Integer(), nullable=False),
    sa.Column('function_code', sa.String(length=16), nullable=True),
    sa.Column('unit_oid', sa.String(length=256), nullable=False),
    sa.Column('services_json', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('granted_at', sa.String(length=40), nullable=False),
    sa.Column('replaced_by', sa.String(length=256), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index('ix_rights_client', 'register_rights', ['tenant_id', 'client_id'], unique=False)
    op.create_table('rehearsal_sessions',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('test', sa.String(length=64), nullable=False),
    sa.Column('organisation_oid', sa.String(length=256), nullable=False),
    sa.Column('counterpart_oid', sa.String(length=256), nullable=True),
    sa.Column('system_name', sa.String(length=200), nullable=True),
    sa.Column('opened_at', sa.String(length=40), nullable=False),
    sa.Column('opened_real_at', sa.String(length=40), nullable=False),
    sa.Column('opened_seq', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.String(length=40), nullable=True),
    sa.Column('closed_real_at', sa.String(length=40), nullable=True),
    sa.Column('closed_seq', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('report_json', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'id')
    )
    op.create_index('ix_rehearsal_sessions_opened', 'rehearsal_sessions', ['tenant_id', 'opened_seq'], unique=False)
    op.create_table('rule_modes',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('selector', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'selector')
    )
    op.create_table('tenant_seeds',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('clients', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    op.create_table('traffic',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('ack', sa.String(length=4), nullable=True),
    sa.Column('transport', sa.String(length=16), nullable=True),
    sa.Column('sender_oid', sa.String(length=256), nullable=True),
    sa.Column('unit_oid', sa.String(length=256), nullable=True),
    sa.Column('person_id', sa.String(length=32), nullable=True),
    sa.Column('client_id', sa.String(length=32), nullable=True),
    sa.Column('service_request', sa.String(length=16), nullable=True),
    sa.Column('register_oid', sa.String(length=256), nullable=True),
    sa.Column('document_id', sa.String(length=256), nullable=True),
    sa.Column('document_ids', sa.Text(), nullable=True),
    sa.Column('usage_situation', sa.String(length=16), nullable=True),
    sa.Column('message_id', sa.String(length=300), nullable=True),
    sa.Column('rule_ids', sa.Text(), nullable=False),
    sa.Column('findings_json', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('stored', sa.Boolean(), nullable=False),
    sa.Column('frame_xml', sa.LargeBinary(), nullable=True),
    sa.Column('document_xml', sa.LargeBinary(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('content_type', sa.String(length=300), nullable=True),
    sa.Column('truncated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sqlite_autoincrement=True
    )
    op.create_index('ix_traffic_tenant', 'traffic', ['tenant_id', 'seq'], unique=False)
    op.create_table('trainer_runs',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('scenario', sa.String(length=200), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('titles_json', sa.Text(), nullable=False),
    sa.Column('owner_host', sa.String(length=255), nullable=False),
    sa.Column('owner_pid', sa.Integer(), nullable=False),
    sa.Column('owner_pid_ns', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('alive_at', sa.Float(), nullable=False),
    sa.Column('asked', sa.Integer(), nullable=False),
    sa.Column('handled', sa.Integer(), nullable=False),
    sa.Column('busy', sa.Integer(), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('prepare_json', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'id')
    )
    op.create_index('ix_trainer_runs_created', 'trainer_runs', ['tenant_id', 'created_at'], unique=False)
    op.create_table('verdict_profiles',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('strict', sa.Boolean(), nullable=False),
    sa.Column('organisers', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    op.create_table('service_units',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('oid', sa.String(length=256), nullable=False),
    sa.Column('organisation_oid', sa.String(length=256), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('unit_type', sa.String(length=16), nullable=False),
    sa.Column('parent_unit_oid', sa.String(length=256), nullable=True),
    sa.Column('soteri_registered_at', sa.String(length=40), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'organisation_oid'], ['organisations.tenant_id', 'organisations.oid'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'oid')
    )
    op.create_table('trainer_requests',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('asked_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'run_id'], ['trainer_runs.tenant_id', 'trainer_runs.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sqlite_autoincrement=True
    )
    op.create_index('ix_trainer_requests_run', 'trainer_requests', ['tenant_id', 'run_id', 'seq'], unique=False)
    op.create_table('trainer_steps',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('titles_json', sa.Text(), nullable=True),
    sa.Column('result_json', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'run_id'], ['trainer_runs.tenant_id', 'trainer_runs.id'], ),
    sa.PrimaryKeyConstraint('tenant_id', 'run_id', 'position')
    )

    op.bulk_insert(sa.table("schema_info", sa.column("version", sa.Integer)), [{"version": 4}])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
