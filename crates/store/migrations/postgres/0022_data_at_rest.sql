-- Ingestion integrity and customer data at rest.
-- content_hash: the keyed hash of each interaction as received; a re-sent id whose
-- content differs is reported as a conflict, not dropped as a duplicate. Rows stored
-- before this migration have none and are compared by id only.
ALTER TABLE interactions ADD COLUMN content_hash BYTEA;
-- The customer reference is kept only as its keyed hash (conflict_customer_refs and the
-- hits written at ingestion); remove the plaintext copy earlier versions kept in the
-- stored interaction.
UPDATE interactions SET redacted = (redacted::jsonb - 'customer_ref')::text
    WHERE jsonb_exists(redacted::jsonb, 'customer_ref');
