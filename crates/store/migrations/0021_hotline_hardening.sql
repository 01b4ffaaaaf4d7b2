-- Hardening of the hotline's keys and of what it shares with other modules.
--
-- A reader's public key is vouched for by the server: reader_public_sig is an Ed25519
-- signature (the server's signing key, kept outside the database) over the user id and
-- the key. A key whose signature does not verify gets no case key wrapped for it, so a
-- public key written into the database by someone else receives nothing. Keys made
-- before this migration are signed once by the first binary that opens the data
-- directory after it (marker file reader-keys.signed beside the keys); after that a key
-- is signed only when its owner's password opens the matching secret.
ALTER TABLE users ADD COLUMN reader_public_sig {{BLOB}};

-- Corrective actions raised from a hotline case: their title, root cause, plan and notes
-- are sealed under the case key (fields capa:<id>:title, capa:<id>:root_cause,
-- capa:<id>:plan, capa:<id>:note:<event id>) like the case's own content; the clear
-- title of such a CAPA is a fixed text and its root_cause, plan and notes stay NULL.
ALTER TABLE capas ADD COLUMN title_sealed {{BLOB}};
ALTER TABLE capas ADD COLUMN root_cause_sealed {{BLOB}};
ALTER TABLE capas ADD COLUMN plan_sealed {{BLOB}};
ALTER TABLE capa_events ADD COLUMN note_sealed {{BLOB}};
