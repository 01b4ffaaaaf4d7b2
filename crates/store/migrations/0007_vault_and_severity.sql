-- The privacy vault: the original (unredacted) interaction, sealed with the keyring
-- (XChaCha20-Poly1305 envelope, purpose "vault"), kept only while the vault is enabled
-- and only until expires_at. The plaintext never reaches the database.
CREATE TABLE interaction_vault (
    interaction_id TEXT PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,
    sealed {{BLOB}} NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX interaction_vault_expiry ON interaction_vault(expires_at);

-- Review-queue severity, decided at ingestion (core::interactions::severity):
-- 3 critical item failed, 2 conduct event, 1 disclosure event, 0 nothing flagged.
-- Rows stored before this migration are classified from their fired rules.
ALTER TABLE interactions ADD COLUMN severity BIGINT NOT NULL DEFAULT 0;
UPDATE interactions SET severity = CASE
    WHEN rules LIKE '%,honesty.%' OR rules LIKE '%,respect.%' THEN 2
    WHEN rules LIKE '%,disclosure.%' THEN 1
    ELSE 0 END;
CREATE INDEX interactions_severity ON interactions(severity, started_at);
