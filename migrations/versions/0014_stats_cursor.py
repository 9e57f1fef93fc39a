"""stats cursor: each statistics refresh records the outbox id up to which it counted, so the
scheduler refreshes only when postings or jobseekers changed after it; and an index of the
monitoring reports by month for the statistics pages.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stats_refreshes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbox_cursor', sa.Integer(), nullable=True))
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_reports_month_only', ['month'], unique=False)


def downgrade():
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_reports_month_only')
    with op.batch_alter_table('stats_refreshes', schema=None) as batch_op:
        batch_op.drop_column('outbox_cursor')
