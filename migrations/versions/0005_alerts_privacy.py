"""Saved searches and job alerts, the SMS/e-mail outbox of notifications, and the jobseeker's privacy
controls (who may find me, which enterprises are blocked).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_searches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('query', sa.JSON(), nullable=False),
        sa.Column('frequency', sa.Enum('immediately', 'daily', 'weekly', name='alertfrequency', native_enum=False,
                                       length=32), nullable=False),
        sa.Column('by_sms', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('unsubscribe_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_run_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unsubscribe_token'),
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_searches_user_id'), ['user_id'], unique=False)
    op.create_table(
        'saved_search_hits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('saved_search_id', sa.Integer(), nullable=False),
        sa.Column('posting_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['saved_search_id'], ['saved_searches.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('saved_search_id', 'posting_id', name='uq_saved_search_hits_pair'),
    )
    with op.batch_alter_table('saved_search_hits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_hits_saved_search_id'), ['saved_search_id'], unique=False)
    op.create_table(
        'notification_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_notification_deliveries_state', ['state', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_deliveries_notification_id'), ['notification_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_notification_deliveries_user_id'), ['user_id'], unique=False)
    op.create_table(
        'jobseeker_enterprise_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('jobseeker_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['jobseeker_id'], ['jobseekers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('jobseeker_id', 'enterprise_id', name='uq_jobseeker_blocks_pair'),
    )
    with op.batch_alter_table('jobseeker_enterprise_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobseeker_enterprise_blocks_enterprise_id'), ['enterprise_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_jobseeker_enterprise_blocks_jobseeker_id'), ['jobseeker_id'],
                              unique=False)
    with op.batch_alter_table('jobseekers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sa.Enum('open_to_verified', 'on_apply', 'hidden',
                                                            name='seekervisibility', native_enum=False, length=32),
                                      server_default='on_apply', nullable=False))
    # who already agreed to be found keeps being found
    op.execute("UPDATE jobseekers SET visibility = 'open_to_verified' WHERE consent_visible_to_enterprises")


def downgrade():
    with op.batch_alter_table('jobseekers', schema=None) as batch_op:
        batch_op.drop_column('visibility')
    op.drop_table('jobseeker_enterprise_blocks')
    op.drop_table('notification_deliveries')
    op.drop_table('saved_search_hits')
    op.drop_table('saved_searches')
