-- Pay equity: one line per person and reporting period, imported from an HR file.
-- Amounts, hours, grade, years of service and sex are sealed together (purpose
-- "pay.record"); only the period, the person and the category of workers are clear,
-- so that a period can be selected and replaced without opening every line.
CREATE TABLE pay_records (
    period TEXT NOT NULL,
    person TEXT NOT NULL,
    category TEXT NOT NULL,
    sealed {{BLOB}} NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (period, person)
);

-- Whether sex is collected at all: off until the organisation enables it.
CREATE TABLE pay_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    collect_sex BOOLEAN NOT NULL DEFAULT {{FALSE}},
    updated_at BIGINT NOT NULL
);
