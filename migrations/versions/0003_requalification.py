"""Six-monthly requalification (January 2026 notice): when and by whom an enterprise's or a channel's
qualifications were last checked. Rows verified before this revision count from when they were
created, the only date known for them, so the oldest come up in the admin's queue at once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('enterprises', 'channels'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('qualified_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('qualified_by_user_id', sa.Integer(), nullable=True))
    op.execute("UPDATE enterprises SET qualified_at = created_at WHERE verification_status = 'verified'")
    op.execute("UPDATE channels SET qualified_at = created_at")


def downgrade():
    for table in ('channels', 'enterprises'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('qualified_by_user_id')
            batch_op.drop_column('qualified_at')
