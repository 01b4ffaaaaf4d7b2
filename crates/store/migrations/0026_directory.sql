-- Directory: what an HR file says about a person beyond their account. A row exists
-- only for people an import brought in or updated; the file "manages" exactly them, so
-- someone without a row (the first admin, a service account) is never deactivated by an
-- import that does not list them.
CREATE TABLE directory_people (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email TEXT,
    manager_user_id TEXT REFERENCES users(id),
    hire_date TEXT,
    job_level TEXT,
    employment_status TEXT NOT NULL,
    -- Deactivated by an import, so that a later file listing them again brings them back
    -- (someone an admin deactivated stays deactivated).
    deactivated_by_import BOOLEAN NOT NULL DEFAULT {{FALSE}},
    updated_at BIGINT NOT NULL
);
CREATE INDEX directory_people_manager ON directory_people(manager_user_id);
