"""Ready for a real deployment: login sessions that can be ended on the server.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 13:10:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Login sessions, and the per-account secret they repeat.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_secret', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      server_default='', nullable=False))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.text('SELECT id FROM user_account')).all():
        connection.execute(sa.text('UPDATE user_account SET session_secret = :secret WHERE id = :id'),
                           {'secret': secrets.token_hex(16), 'id': user_id})
    op.create_table('login_session',
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('user_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)

    # Retention: the purge marks audit entries whose personal details it removed.
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


    # Sign-up confirms the address; accounts that exist already count as confirmed since they were made.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
    op.execute(sa.text('UPDATE user_account SET email_confirmed_at = created_at'))

    # Two-step sign-in (TOTP): nobody has it yet; coordinators set it up at their next sign-in.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))
    op.drop_table('login_session')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_secret')
