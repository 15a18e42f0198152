-- Who a response is from, and whether it counts.
-- identity_check: `self_declared` (typed on the open start page), `verified` (started with the
-- personal access code of a register entry, which `register_unit_id` names) or `confirmed` (a
-- self-declared identity an administrator has checked).
-- standing: `counted` in every statistic; `unconfirmed` (self-declared in an open wave: out of
-- the estimates until confirmed); `void` (a test or fraudulent response: kept, out of everything,
-- and no longer holding its organisation's place). Responses from before identities were checked
-- keep counting, as they did when they were given.
ALTER TABLE responses ADD COLUMN identity_check TEXT NOT NULL DEFAULT 'self_declared'
    CHECK (identity_check IN ('self_declared', 'verified', 'confirmed'));
ALTER TABLE responses ADD COLUMN standing TEXT NOT NULL DEFAULT 'counted'
    CHECK (standing IN ('counted', 'unconfirmed', 'void'));
ALTER TABLE responses ADD COLUMN register_unit_id INTEGER REFERENCES register_units (id);

DROP INDEX responses_one_per_organisation_wave_and_survey;
CREATE UNIQUE INDEX responses_one_per_organisation_wave_and_survey
    ON responses (wave_id, survey_id, organisation_id) WHERE standing <> 'void';
CREATE UNIQUE INDEX responses_one_per_register_unit
    ON responses (register_unit_id) WHERE register_unit_id IS NOT NULL AND standing <> 'void';

-- Statistics read only counted responses: the standing joins the covering index.
DROP INDEX responses_statistics;
CREATE INDEX responses_statistics
    ON responses (wave_id, survey_id, status, standing, area_code, vsic_section, size_class, indicator_bits, score_values, version);

-- Only counted responses have a microdata row.
DELETE FROM microdata_rows WHERE response_id IN (SELECT id FROM responses WHERE standing <> 'counted');

-- Who may start a response: `invitation` (a personal access code only) or `open` (anyone, as
-- self-declared). NULL: invitation once the wave has a named register, open before.
ALTER TABLE waves ADD COLUMN access TEXT CHECK (access IS NULL OR access IN ('invitation', 'open'));

-- Access codes are derived from the secret key, the wave, the unit and this generation, so a
-- letter can be printed again with the same code; issuing again raises the generation, and the
-- old code stops working.
ALTER TABLE invitations ADD COLUMN generation INTEGER NOT NULL DEFAULT 1 CHECK (generation >= 1);

-- What happened in the field to a sampled unit, besides its response: contacts by officials,
-- letters printed, reminders, refusals, an unreachable address. Never updated or deleted.
CREATE TABLE unit_events (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES register_units (id),
    kind        TEXT NOT NULL CHECK (kind IN ('contact', 'letter', 'email', 'reminder', 'refused', 'unreachable')),
    channel     TEXT CHECK (channel IS NULL OR channel IN ('call', 'visit', 'email', 'post')),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    recorded_by TEXT,
    recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX unit_events_by_unit ON unit_events (unit_id, recorded_at);

-- E-mails to send: written in the same transaction as what causes them, marked sent only once
-- the SMTP server has accepted them, so none is lost when the server or dxsurvey stops.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES register_units (id),
    kind       TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    recipient  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    queued_at  TEXT NOT NULL,
    next_try   TEXT NOT NULL,
    sent_at    TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_try);

-- Reminder dates of a wave: on each, those who have not submitted are reminded once.
CREATE TABLE wave_reminders (
    wave_id TEXT NOT NULL REFERENCES waves (id),
    on_date TEXT NOT NULL,
    done_at TEXT,
    PRIMARY KEY (wave_id, on_date)
) STRICT;
