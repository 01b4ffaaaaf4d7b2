-- The head of the audit trail is signed on every append (Ed25519, the key outside the
-- database), so rewriting the entries after the last checkpoint and recomputing the
-- unkeyed chain no longer passes `righttrack audit verify`. NULL only on a database
-- made before this migration, until the first start signs it.
ALTER TABLE audit_head ADD COLUMN signature {{BLOB}};
