"""Statistics: the supply-and-demand cube and its refresh runs, and the shortage-occupation catalogue's
versions (急需紧缺职业目录).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stats_cells',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('measure', sa.String(length=8), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('occupation_code', sa.String(length=16), nullable=False),
        sa.Column('dim', sa.String(length=16), nullable=False),
        sa.Column('dim_value', sa.String(length=32), nullable=False),
        sa.Column('headcount', sa.Integer(), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_cells')),
    )
    with op.batch_alter_table('stats_cells', schema=None) as batch_op:
        batch_op.create_index('ix_stats_cells_occupation', ['generation', 'measure', 'dim', 'occupation_code',
                                                            'region_code', 'month', 'dim_value', 'headcount', 'items'],
                              unique=False)
        batch_op.create_index('ix_stats_cells_region', ['generation', 'measure', 'dim', 'region_code',
                                                        'occupation_code', 'month', 'dim_value', 'headcount', 'items'],
                              unique=False)
    op.create_table(
        'stats_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('current', sa.Integer(), nullable=False),
        sa.Column('latest', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_generation')),
    )
    op.create_table(
        'stats_refreshes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('cells', sa.Integer(), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_refreshes')),
    )
    op.create_table(
        'shortage_catalogues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=True),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['region_code'], ['regions.code'],
                                name=op.f('fk_shortage_catalogues_region_code_regions')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_shortage_catalogues_created_by_id_users')),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_shortage_catalogues_published_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shortage_catalogues')),
        sa.UniqueConstraint('version', name='uq_shortage_catalogues_version'),
    )
    op.create_table(
        'shortage_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('catalogue_id', sa.Integer(), nullable=False),
        sa.Column('occupation_code', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('demand', sa.Integer(), nullable=False),
        sa.Column('supply', sa.Integer(), nullable=False),
        sa.Column('ratio', sa.Float(), nullable=True),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['catalogue_id'], ['shortage_catalogues.id'], ondelete='CASCADE',
                                name=op.f('fk_shortage_entries_catalogue_id_shortage_catalogues')),
        sa.ForeignKeyConstraint(['occupation_code'], ['occupations.code'],
                                name=op.f('fk_shortage_entries_occupation_code_occupations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shortage_entries')),
        sa.UniqueConstraint('catalogue_id', 'occupation_code', name='uq_shortage_entries_catalogue_id'),
    )
    with op.batch_alter_table('shortage_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shortage_entries_catalogue_id'), ['catalogue_id'], unique=False)


def downgrade():
    op.drop_table('shortage_entries')
    op.drop_table('shortage_catalogues')
    op.drop_table('stats_refreshes')
    op.drop_table('stats_generation')
    op.drop_table('stats_cells')
