-- Ethics-climate surveys (issue #7 item 1). Anonymity is kept by what is NOT here:
-- survey_responses has no author, no timestamp (only the day) and a random id, and
-- survey_invitations (who was asked, whether they answered) has nothing that points
--@sqlite
-- at a response. Both are WITHOUT ROWID tables, stored in primary-key order (a random
-- id; the user id), so neither a rowid nor the storage order follows insertion order.
-- Dates are 'YYYY-MM-DD' (UTC); JSON columns: questions, audience, views, released.
--@postgres
-- at a response. PostgreSQL stores rows in insertion order and stamps each with its
-- transaction (xmin); closing a wave rewrites both tables' rows of the wave in one
-- transaction in key order and vacuums them (store/src/surveys.rs), which erases that
-- order. Dates are 'YYYY-MM-DD' (UTC); JSON columns: questions, audience, views, released.
--@end
CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    questions TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE survey_waves (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES surveys(id),
    name TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    audience TEXT NOT NULL,
    views TEXT NOT NULL,
    min_group BIGINT NOT NULL CHECK (min_group >= 5),
    min_comments BIGINT NOT NULL CHECK (min_comments >= 10),
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    launched_at BIGINT,
    closed_at BIGINT,
    released TEXT,
    released_comments TEXT
);
CREATE INDEX survey_waves_survey ON survey_waves(survey_id);

-- The database refuses to lower a threshold of a launched wave, whatever the caller.
--@sqlite
CREATE TRIGGER survey_waves_thresholds_only_up BEFORE UPDATE OF min_group, min_comments ON survey_waves
WHEN OLD.status <> 'draft' AND (NEW.min_group < OLD.min_group OR NEW.min_comments < OLD.min_comments)
BEGIN SELECT RAISE(ABORT, 'survey thresholds can only go up after launch'); END;
--@postgres
CREATE FUNCTION survey_thresholds_only_up() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' AND (NEW.min_group < OLD.min_group OR NEW.min_comments < OLD.min_comments) THEN
        RAISE EXCEPTION 'survey thresholds can only go up after launch';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER survey_waves_thresholds_only_up BEFORE UPDATE ON survey_waves
FOR EACH ROW EXECUTE FUNCTION survey_thresholds_only_up();
--@end

CREATE TABLE survey_invitations (
    wave_id TEXT NOT NULL REFERENCES survey_waves(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    responded BOOLEAN NOT NULL DEFAULT {{FALSE}},
    PRIMARY KEY (wave_id, user_id)
){{WITHOUT_ROWID}};

CREATE TABLE survey_responses (
    wave_id TEXT NOT NULL REFERENCES survey_waves(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    day TEXT NOT NULL,
    team TEXT NOT NULL,
    site TEXT NOT NULL,
    role TEXT NOT NULL,
    tenure TEXT NOT NULL,
    answers TEXT NOT NULL,
    PRIMARY KEY (wave_id, id)
){{WITHOUT_ROWID}};
