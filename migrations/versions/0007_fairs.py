"""fairs: job fairs, booth requests, registrations with their codes, conversations and follow-ups.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_fairs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('theme', sa.String(length=32), nullable=False),
        sa.Column('target_groups', sa.JSON(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('venue', sa.String(length=300), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('start_time', sa.String(length=5), nullable=False),
        sa.Column('end_time', sa.String(length=5), nullable=False),
        sa.Column('booth_capacity', sa.Integer(), nullable=False),
        sa.Column('visitor_capacity', sa.Integer(), nullable=False),
        sa.Column('organiser', sa.String(length=200), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('is_demo', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_job_fairs_created_by_users')),
        sa.ForeignKeyConstraint(['project_id'], ['major_projects.id'], name=op.f('fk_job_fairs_project_id_major_projects'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_job_fairs_region_code_regions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_fairs')),
    )
    with op.batch_alter_table('job_fairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_fairs_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_fairs_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_fairs_status'), ['status'], unique=False)

    op.create_table(
        'fair_booths',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('posting_ids', sa.JSON(), nullable=False),
        sa.Column('headcount', sa.Integer(), nullable=False),
        sa.Column('needs', sa.String(length=300), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('refusal_reason', sa.String(length=300), nullable=True),
        sa.Column('booth_number', sa.Integer(), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_fair_booths_decided_by_users')),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_fair_booths_enterprise_id_enterprises')),
        sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_fair_booths_fair_id_job_fairs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_booths')),
        sa.UniqueConstraint('fair_id', 'enterprise_id', name='uq_fair_booths_fair_enterprise'),
        sa.UniqueConstraint('fair_id', 'booth_number', name='uq_fair_booths_fair_number'),
    )
    with op.batch_alter_table('fair_booths', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fair_booths_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fair_booths_fair_id'), ['fair_id'], unique=False)

    op.create_table(
        'fair_registrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('jobseeker_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('token', sa.String(length=48), nullable=False),
        sa.Column('walk_in', sa.Boolean(), nullable=False),
        sa.Column('checked_in_at', sa.DateTime(), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_fair_registrations_fair_id_job_fairs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['jobseeker_id'], ['jobseekers.id'], name=op.f('fk_fair_registrations_jobseeker_id_jobseekers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_registrations')),
        sa.UniqueConstraint('fair_id', 'code', name='uq_fair_registrations_fair_code'),
        sa.UniqueConstraint('fair_id', 'jobseeker_id', name='uq_fair_registrations_fair_seeker'),
        sa.UniqueConstraint('token', name=op.f('uq_fair_registrations_token')),
    )
    with op.batch_alter_table('fair_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fair_registrations_fair_id'), ['fair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fair_registrations_jobseeker_id'), ['jobseeker_id'], unique=False)

    op.create_table(
        'fair_conversations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('booth_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('posting_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('intention', sa.Boolean(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_fair_conversations_application_id_applications'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['booth_id'], ['fair_booths.id'], name=op.f('fk_fair_conversations_booth_id_fair_booths'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_fair_conversations_created_by_users')),
        sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_fair_conversations_fair_id_job_fairs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_fair_conversations_posting_id_postings'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['registration_id'], ['fair_registrations.id'], name=op.f('fk_fair_conversations_registration_id_fair_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_conversations')),
    )
    with op.batch_alter_table('fair_conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fair_conversations_booth_id'), ['booth_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fair_conversations_fair_id'), ['fair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fair_conversations_registration_id'), ['registration_id'], unique=False)

    op.create_table(
        'fair_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('reason', sa.String(length=300), nullable=True),
        sa.Column('done_by', sa.Integer(), nullable=True),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['fair_conversations.id'], name=op.f('fk_fair_follow_ups_conversation_id_fair_conversations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['done_by'], ['users.id'], name=op.f('fk_fair_follow_ups_done_by_users')),
        sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_fair_follow_ups_fair_id_job_fairs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_follow_ups')),
        sa.UniqueConstraint('conversation_id', name=op.f('uq_fair_follow_ups_conversation_id')),
    )
    with op.batch_alter_table('fair_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fair_follow_ups_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_fair_follow_ups_fair_id'), ['fair_id'], unique=False)


def downgrade():
    op.drop_table('fair_follow_ups')
    op.drop_table('fair_conversations')
    op.drop_table('fair_registrations')
    op.drop_table('fair_booths')
    op.drop_table('job_fairs')
