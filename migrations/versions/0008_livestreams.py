"""livestreams (直播带岗): sessions, run-sheets, the pointer's history and viewer figures.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'live_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('theme', sa.String(length=200), nullable=False),
        sa.Column('target_groups', sa.JSON(), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('hosts', sa.String(length=200), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=True),
        sa.Column('scheduled_start', sa.DateTime(), nullable=True),
        sa.Column('scheduled_end', sa.DateTime(), nullable=True),
        sa.Column('stream_url', sa.String(length=500), nullable=False),
        sa.Column('replay_url', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('current_item_id', sa.Integer(), nullable=True),
        sa.Column('pointer_version', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('commissioner_ids', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('override_flags', sa.JSON(), nullable=False),
        sa.Column('override_reason', sa.Text(), nullable=True),
        sa.Column('override_by_id', sa.Integer(), nullable=True),
        sa.Column('is_demo', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_live_sessions_created_by_id_users')),
        sa.ForeignKeyConstraint(['override_by_id'], ['users.id'], name=op.f('fk_live_sessions_override_by_id_users')),
        sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_live_sessions_region_code_regions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sessions')),
    )
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_sessions_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_sessions_status'), ['status'], unique=False)

    op.create_table(
        'live_run_sheet_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('posting_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('talking_points', sa.Text(), nullable=False),
        sa.Column('presenter', sa.String(length=100), nullable=False),
        sa.Column('link_opens', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_live_run_sheet_items_posting_id_postings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'],
                                name=op.f('fk_live_run_sheet_items_session_id_live_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_run_sheet_items')),
        sa.UniqueConstraint('session_id', 'posting_id', name='uq_live_run_sheet_items_session_posting'),
    )
    with op.batch_alter_table('live_run_sheet_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_run_sheet_items_posting_id'), ['posting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_run_sheet_items_session_id'), ['session_id'], unique=False)

    op.create_table(
        'live_pointer_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('posting_id', sa.Integer(), nullable=True),
        sa.Column('by_user_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_live_pointer_events_by_user_id_users')),
        sa.ForeignKeyConstraint(['item_id'], ['live_run_sheet_items.id'],
                                name=op.f('fk_live_pointer_events_item_id_live_run_sheet_items'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_live_pointer_events_posting_id_postings'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'],
                                name=op.f('fk_live_pointer_events_session_id_live_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_pointer_events')),
    )
    with op.batch_alter_table('live_pointer_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_pointer_events_session_id'), ['session_id'], unique=False)

    op.create_table(
        'live_viewer_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('posting_id', sa.Integer(), nullable=True),
        sa.Column('posting_key', sa.String(length=16), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('link_opens', sa.Integer(), nullable=False),
        sa.Column('sign_ups', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_live_viewer_figures_posting_id_postings'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_live_viewer_figures_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'],
                                name=op.f('fk_live_viewer_figures_session_id_live_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_viewer_figures')),
        sa.UniqueConstraint('session_id', 'posting_key', name='uq_live_viewer_figures_session_posting_key'),
    )
    with op.batch_alter_table('live_viewer_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_viewer_figures_session_id'), ['session_id'], unique=False)


def downgrade():
    op.drop_table('live_viewer_figures')
    op.drop_table('live_pointer_events')
    op.drop_table('live_run_sheet_items')
    op.drop_table('live_sessions')
