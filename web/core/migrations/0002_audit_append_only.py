"""On PostgreSQL the audit table refuses UPDATE and DELETE, whoever asks (the app, psql, a script).

The application never changes an audit row (web.core.audit only inserts); this
makes the database say so too. TRUNCATE is left alone: it is what a test
database flush and a restore into an empty database use, not a row edit.
SQLite has no such guard; there the admin and the API are the only ways in,
and both refuse (tests/web/permissions/test_audit.py).
"""

from django.db import migrations

CREATE = [
    """
CREATE OR REPLACE FUNCTION chitieu_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or deleted (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
""",
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    """
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION chitieu_audit_append_only()
""",
]
DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS chitieu_audit_append_only()",
]


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)  # None: the "%" in RAISE is not a placeholder


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(_forwards, _backwards, elidable=False)]
