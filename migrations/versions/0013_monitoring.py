"""monitoring: monitored enterprises, monthly reports, layoff alerts, laid-off follow-up, and
zero-employment households with their members and referrals.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 21:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('head_name', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('cleared_on', sa.Date(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_households_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_households_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('region_code', 'reference', name='uq_households_region_reference')
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_region_code'), ['region_code'], unique=False)

    op.create_table('monitored_enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('flagged_by', sa.String(length=16), nullable=False),
    sa.Column('flagged_by_user_id', sa.Integer(), nullable=True),
    sa.Column('state_owned', sa.Boolean(), nullable=False),
    sa.Column('above_designated_size', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_monitored_enterprises_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flagged_by_user_id'], ['users.id'], name=op.f('fk_monitored_enterprises_flagged_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitored_enterprises')),
    sa.UniqueConstraint('enterprise_id', name=op.f('uq_monitored_enterprises_enterprise_id'))
    )
    op.create_table('household_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('id_number_masked', sa.String(length=20), nullable=True),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('employed', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_members_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_members'))
    )
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_members_household_id'), ['household_id'], unique=False)

    op.create_table('monitoring_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monitored_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('hires', sa.Integer(), nullable=False),
    sa.Column('separations', sa.Integer(), nullable=False),
    sa.Column('production_state', sa.String(length=16), nullable=False),
    sa.Column('pay_change', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reported_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['monitored_id'], ['monitored_enterprises.id'], name=op.f('fk_monitoring_reports_monitored_id_monitored_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_user_id'], ['users.id'], name=op.f('fk_monitoring_reports_reported_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_reports')),
    sa.UniqueConstraint('monitored_id', 'month', name='uq_monitoring_reports_month')
    )
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_reports_monitored_id'), ['monitored_id'], unique=False)

    op.create_table('household_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('referred_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_referrals_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['household_members.id'], name=op.f('fk_household_referrals_member_id_household_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_household_referrals_posting_id_postings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referred_by_user_id'], ['users.id'], name=op.f('fk_household_referrals_referred_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_referrals'))
    )
    with op.batch_alter_table('household_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_referrals_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_referrals_member_id'), ['member_id'], unique=False)

    op.create_table('monitoring_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monitored_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('base_headcount', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('reduction', sa.Integer(), nullable=False),
    sa.Column('reduction_pct', sa.Float(), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('notified', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['monitored_id'], ['monitored_enterprises.id'], name=op.f('fk_monitoring_alerts_monitored_id_monitored_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['monitoring_reports.id'], name=op.f('fk_monitoring_alerts_report_id_monitoring_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_alerts')),
    sa.UniqueConstraint('report_id', name=op.f('uq_monitoring_alerts_report_id'))
    )
    with op.batch_alter_table('monitoring_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_alerts_monitored_id'), ['monitored_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_alerts_region_code'), ['region_code'], unique=False)

    op.create_table('monitoring_laid_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('jobseeker_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['monitoring_alerts.id'], name=op.f('fk_monitoring_laid_off_alert_id_monitoring_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['jobseeker_id'], ['jobseekers.id'], name=op.f('fk_monitoring_laid_off_jobseeker_id_jobseekers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_laid_off')),
    sa.UniqueConstraint('alert_id', 'jobseeker_id', name='uq_monitoring_laid_off_seeker')
    )
    with op.batch_alter_table('monitoring_laid_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_laid_off_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_laid_off_jobseeker_id'), ['jobseeker_id'], unique=False)


def downgrade():
    with op.batch_alter_table('monitoring_laid_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_laid_off_jobseeker_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_laid_off_alert_id'))

    op.drop_table('monitoring_laid_off')
    with op.batch_alter_table('monitoring_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_alerts_region_code'))
        batch_op.drop_index(batch_op.f('ix_monitoring_alerts_monitored_id'))

    op.drop_table('monitoring_alerts')
    with op.batch_alter_table('household_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_referrals_member_id'))
        batch_op.drop_index(batch_op.f('ix_household_referrals_household_id'))

    op.drop_table('household_referrals')
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_reports_monitored_id'))

    op.drop_table('monitoring_reports')
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_members_household_id'))

    op.drop_table('household_members')
    op.drop_table('monitored_enterprises')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_region_code'))

    op.drop_table('households')
