-- The evidence binder's generations. Computing the binder's figures reads every record
-- they summarise (seconds on a large organisation), so a person generates the binder on
-- an explicit action and its figures are stored here with the audit-trail head they were
-- computed at; the page and the exports read the newest generation of the person viewing
-- and never compute. A generation belongs to the person who made it (generated_by): the
-- hotline figures count only the cases that person can read, so nobody else sees it.
-- figures holds counts and rates only (righttrack_core::binder::Figures as JSON: per
-- figure key, the value, the period in words and a note), never case content or customer
-- data. Narratives are not copied here: they stay in binder_narratives. Every generation
-- is also an audit entry (binder.generated, with its id and head).
CREATE TABLE binder_generations (
    -- UUIDv7
    id TEXT PRIMARY KEY,
    -- milliseconds since the epoch, UTC
    generated_at BIGINT NOT NULL,
    -- username of the person who generated it
    generated_by TEXT NOT NULL,
    -- the audit-trail head read after every figure was computed: its seq and hash (hex)
    head_seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    -- JSON object: figure key -> {"value": {"number": n} | "withheld" | "no_data",
    -- "period": text, "note": text}
    figures TEXT NOT NULL
);
-- A person's newest generation, and their list, come from this index.
CREATE INDEX binder_generations_by_person ON binder_generations (generated_by, generated_at);
