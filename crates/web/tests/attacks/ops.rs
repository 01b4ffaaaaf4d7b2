//! Attacks on operations: the audit trail, backups, storage outages, migrations.
