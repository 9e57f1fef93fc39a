"""Applicants pipeline: the offer stage and a declined application's reason, the enterprise's notes,
invitations to apply (邀请投递), and hiring subsidy rules an administrator edits.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # ApplicationStatus gains "offer": a string column without a constraint, nothing to alter.
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('rejection_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('stage_changed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'application_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('author_user_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_user_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('application_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_notes_application_id'), ['application_id'], unique=False)
    op.create_table(
        'invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('posting_id', sa.Integer(), nullable=False),
        sa.Column('jobseeker_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('invited_by_user_id', sa.Integer(), nullable=True),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column('status', sa.Enum('sent', 'accepted', 'declined', name='invitationstatus', native_enum=False,
                                    length=32), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('responded_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_user_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['jobseeker_id'], ['jobseekers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('posting_id', 'jobseeker_id', name='uq_invitations_posting_seeker'),
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_jobseeker_id'), ['jobseeker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_posting_id'), ['posting_id'], unique=False)
    op.create_table(
        'subsidy_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('groups', sa.JSON(), nullable=False),
        sa.Column('employment_types', sa.JSON(), nullable=False),
        sa.Column('hint', sa.Text(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_user_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )


def downgrade():
    op.drop_table('subsidy_rules')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_posting_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_jobseeker_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_enterprise_id'))
    op.drop_table('invitations')
    with op.batch_alter_table('application_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_notes_application_id'))
    op.drop_table('application_notes')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('stage_changed_at')
        batch_op.drop_column('rejection_note')
        batch_op.drop_column('rejection_reason')
