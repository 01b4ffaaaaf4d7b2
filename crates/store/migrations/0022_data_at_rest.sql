-- Ingestion integrity and customer data at rest.
-- content_hash: the keyed hash of each interaction as received; a re-sent id whose
-- content differs is reported as a conflict, not dropped as a duplicate. Rows stored
-- before this migration have none and are compared by id only.
ALTER TABLE interactions ADD COLUMN content_hash {{BLOB}};
-- The customer reference is kept only as its keyed hash (conflict_customer_refs and the
-- hits written at ingestion); remove the plaintext copy earlier versions kept in the
-- stored interaction.
--@sqlite
UPDATE interactions SET redacted = json_remove(redacted, '$.customer_ref')
    WHERE json_type(redacted, '$.customer_ref') IS NOT NULL;
--@postgres
UPDATE interactions SET redacted = (redacted::jsonb - 'customer_ref')::text
    WHERE jsonb_exists(redacted::jsonb, 'customer_ref');
--@end
