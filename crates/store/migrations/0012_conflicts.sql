-- Conflicts of interest (issue 9): disclosures, their review and mitigations, yearly
-- campaigns, and findings raised at ingestion when an agent handles the account of a
-- disclosed relation. Text a person typed (names, relationships, descriptions,
-- rationales, mitigations) is sealed with the keyring; a relation's customer references
-- are kept only as keyed hashes (HMAC-SHA-256 under the sealed key of conflict_settings).

-- One row: the sealed customer-reference key and the gift approval threshold.
CREATE TABLE conflict_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    ref_key_sealed {{BLOB}} NOT NULL,
    gift_threshold BIGINT NOT NULL,
    gift_currency TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE conflict_campaigns (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL UNIQUE,
    due_at BIGINT NOT NULL,
    audience TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at BIGINT NOT NULL
);

-- status: submitted | approved | mitigated | rejected | recorded (nothing to declare).
CREATE TABLE conflict_disclosures (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    campaign_id TEXT REFERENCES conflict_campaigns(id),
    occasion TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    details_sealed {{BLOB}},
    colleague_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    gift_direction TEXT,
    gift_value BIGINT,
    gift_currency TEXT,
    needs_approval BOOLEAN NOT NULL DEFAULT {{FALSE}},
    reviewer TEXT,
    submitted_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    rationale_sealed {{BLOB}}
);
CREATE INDEX conflict_disclosures_user ON conflict_disclosures(user_id, submitted_at);
CREATE INDEX conflict_disclosures_status ON conflict_disclosures(status, submitted_at);
CREATE INDEX conflict_disclosures_campaign ON conflict_disclosures(campaign_id, user_id);
CREATE INDEX conflict_disclosures_colleague ON conflict_disclosures(colleague_id);

-- A disclosed relation's customer references, as keyed hashes, with the agent's
-- username as interactions.agent_ref holds it: ingestion looks up (hash, agent).
CREATE TABLE conflict_customer_refs (
    ref_hash {{BLOB}} NOT NULL,
    agent TEXT NOT NULL,
    disclosure_id TEXT NOT NULL REFERENCES conflict_disclosures(id) ON DELETE CASCADE,
    PRIMARY KEY (ref_hash, agent, disclosure_id)
);
CREATE INDEX conflict_customer_refs_disclosure ON conflict_customer_refs(disclosure_id);

CREATE TABLE conflict_mitigations (
    id TEXT PRIMARY KEY,
    disclosure_id TEXT NOT NULL REFERENCES conflict_disclosures(id) ON DELETE CASCADE,
    text_sealed {{BLOB}} NOT NULL,
    owner TEXT NOT NULL,
    review_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX conflict_mitigations_open ON conflict_mitigations(status, review_at);

-- An agent handled a disclosed relation's account: written in the ingestion transaction.
CREATE TABLE conflict_hits (
    interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    disclosure_id TEXT NOT NULL REFERENCES conflict_disclosures(id) ON DELETE CASCADE,
    agent TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (interaction_id, disclosure_id)
);
CREATE INDEX conflict_hits_agent ON conflict_hits(agent, at);
