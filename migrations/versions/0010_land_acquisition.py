"""land acquisition: a project's employment impact, the working-day calendar's admin entries, land
notices with their villages, the affected people's survey records, placement proposals, and
order-based training (courses, orders, enrolments, subsidy claims).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('major_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('impact_jobs_created', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('impact_jobs_lost', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('impact_land_lost_farmers', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('impact_industries', sa.String(length=300), nullable=True))

    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_calendar_days_changed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('training_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('occupation_text', sa.String(length=100), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('subsidy_eligible', sa.Boolean(), nullable=False),
    sa.Column('certificate_name', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_courses_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['institution_id'], ['channels.id'], name=op.f('fk_training_courses_institution_id_channels')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_training_courses_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_courses'))
    )
    with op.batch_alter_table('training_courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_courses_institution_id'), ['institution_id'], unique=False)

    op.create_table('land_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('notice_date', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('area_mu', sa.Float(), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('survey_completed_at', sa.DateTime(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_land_notices_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['major_projects.id'], name=op.f('fk_land_notices_project_id_major_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_land_notices'))
    )
    with op.batch_alter_table('land_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_land_notices_project_id'), ['project_id'], unique=False)

    op.create_table('land_notice_villages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['notice_id'], ['land_notices.id'], name=op.f('fk_land_notice_villages_notice_id_land_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_land_notice_villages')),
    sa.UniqueConstraint('notice_id', 'code', name='uq_land_notice_villages_notice_code')
    )
    with op.batch_alter_table('land_notice_villages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_land_notice_villages_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_land_notice_villages_notice_id'), ['notice_id'], unique=False)

    op.create_table('training_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=True),
    sa.Column('occupation_text', sa.String(length=100), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['training_courses.id'], name=op.f('fk_training_orders_course_id_training_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_orders_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['demand_id'], ['labour_demands.id'], name=op.f('fk_training_orders_demand_id_labour_demands'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_orders'))
    )
    with op.batch_alter_table('training_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_orders_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_orders_demand_id'), ['demand_id'], unique=False)

    op.create_table('land_survey_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('jobseeker_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('id_number_encrypted', sa.Text(), nullable=True),
    sa.Column('id_problem', sa.String(length=200), nullable=True),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('household', sa.String(length=64), nullable=False),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('employment_now', sa.String(length=16), nullable=False),
    sa.Column('wants', sa.String(length=16), nullable=False),
    sa.Column('training_wishes', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_reason', sa.String(length=200), nullable=False),
    sa.Column('outcome_posting_id', sa.Integer(), nullable=True),
    sa.Column('outcome_at', sa.DateTime(), nullable=True),
    sa.Column('surveyed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['jobseeker_id'], ['jobseekers.id'], name=op.f('fk_land_survey_records_jobseeker_id_jobseekers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notice_id'], ['land_notices.id'], name=op.f('fk_land_survey_records_notice_id_land_notices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_posting_id'], ['postings.id'], name=op.f('fk_land_survey_records_outcome_posting_id_postings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['surveyed_by_id'], ['users.id'], name=op.f('fk_land_survey_records_surveyed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['village_id'], ['land_notice_villages.id'], name=op.f('fk_land_survey_records_village_id_land_notice_villages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_land_survey_records')),
    sa.UniqueConstraint('notice_id', 'jobseeker_id', name='uq_land_survey_records_notice_seeker')
    )
    with op.batch_alter_table('land_survey_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_land_survey_records_jobseeker_id'), ['jobseeker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_land_survey_records_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_land_survey_records_village_id'), ['village_id'], unique=False)

    op.create_table('placement_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=True),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('offered_at', sa.DateTime(), nullable=True),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['labour_demands.id'], name=op.f('fk_placement_proposals_demand_id_labour_demands'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offered_by_id'], ['users.id'], name=op.f('fk_placement_proposals_offered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_placement_proposals_posting_id_postings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['land_survey_records.id'], name=op.f('fk_placement_proposals_record_id_land_survey_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_proposals'))
    )
    with op.batch_alter_table('placement_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_proposals_record_id'), ['record_id'], unique=False)

    op.create_table('training_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('jobseeker_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('enrolled_by_id', sa.Integer(), nullable=True),
    sa.Column('sessions_attended', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('certificate', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['training_courses.id'], name=op.f('fk_training_enrolments_course_id_training_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolled_by_id'], ['users.id'], name=op.f('fk_training_enrolments_enrolled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['jobseeker_id'], ['jobseekers.id'], name=op.f('fk_training_enrolments_jobseeker_id_jobseekers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['training_orders.id'], name=op.f('fk_training_enrolments_order_id_training_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['land_survey_records.id'], name=op.f('fk_training_enrolments_record_id_land_survey_records'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_enrolments')),
    sa.UniqueConstraint('course_id', 'jobseeker_id', name='uq_training_enrolments_course_seeker')
    )
    with op.batch_alter_table('training_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_enrolments_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_enrolments_jobseeker_id'), ['jobseeker_id'], unique=False)

    op.create_table('training_subsidy_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('rule', sa.String(length=50), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['training_enrolments.id'], name=op.f('fk_training_subsidy_claims_enrolment_id_training_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_subsidy_claims'))
    )
    with op.batch_alter_table('training_subsidy_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_subsidy_claims_enrolment_id'), ['enrolment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('training_subsidy_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_subsidy_claims_enrolment_id'))

    op.drop_table('training_subsidy_claims')
    with op.batch_alter_table('training_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_enrolments_jobseeker_id'))
        batch_op.drop_index(batch_op.f('ix_training_enrolments_course_id'))

    op.drop_table('training_enrolments')
    with op.batch_alter_table('placement_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_proposals_record_id'))

    op.drop_table('placement_proposals')
    with op.batch_alter_table('land_survey_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_land_survey_records_village_id'))
        batch_op.drop_index(batch_op.f('ix_land_survey_records_notice_id'))
        batch_op.drop_index(batch_op.f('ix_land_survey_records_jobseeker_id'))

    op.drop_table('land_survey_records')
    with op.batch_alter_table('training_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_orders_demand_id'))
        batch_op.drop_index(batch_op.f('ix_training_orders_course_id'))

    op.drop_table('training_orders')
    with op.batch_alter_table('land_notice_villages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_land_notice_villages_notice_id'))
        batch_op.drop_index(batch_op.f('ix_land_notice_villages_code'))

    op.drop_table('land_notice_villages')
    with op.batch_alter_table('land_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_land_notices_project_id'))

    op.drop_table('land_notices')
    with op.batch_alter_table('training_courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_courses_institution_id'))

    op.drop_table('training_courses')
    op.drop_table('calendar_days')
    with op.batch_alter_table('major_projects', schema=None) as batch_op:
        batch_op.drop_column('impact_industries')
        batch_op.drop_column('impact_land_lost_farmers')
        batch_op.drop_column('impact_jobs_lost')
        batch_op.drop_column('impact_jobs_created')
