-- Reference data: loaded from surveys/reference/ at every start (upserted, never deleted).
CREATE TABLE areas (
    code    TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('phuong', 'xa', 'dac_khu'))
) STRICT;

CREATE TABLE area_groups (
    code    TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
) STRICT;

CREATE TABLE area_group_members (
    group_code TEXT NOT NULL REFERENCES area_groups (code) ON DELETE CASCADE,
    area_code  TEXT NOT NULL REFERENCES areas (code),
    PRIMARY KEY (group_code, area_code)
) STRICT;

CREATE TABLE sectors (
    section TEXT PRIMARY KEY CHECK (length(section) = 1 AND section BETWEEN 'A' AND 'U'),
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
) STRICT;

-- The exact definition of every questionnaire version ever loaded: never updated, never deleted.
CREATE TABLE questionnaires (
    survey_id TEXT NOT NULL,
    version   INTEGER NOT NULL CHECK (version >= 1),
    kind      TEXT NOT NULL CHECK (kind IN ('enterprise', 'agency')),
    source    TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (survey_id, version)
) STRICT;

-- A survey wave: a period with open and close dates and one version of each questionnaire.
CREATE TABLE waves (
    id        TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 32),
    title_vi  TEXT NOT NULL,
    title_en  TEXT NOT NULL,
    opens_on  TEXT NOT NULL,
    closes_on TEXT NOT NULL CHECK (closes_on >= opens_on),
    status    TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE wave_questionnaires (
    wave_id   TEXT NOT NULL REFERENCES waves (id),
    survey_id TEXT NOT NULL,
    version   INTEGER NOT NULL,
    PRIMARY KEY (wave_id, survey_id),
    FOREIGN KEY (survey_id, version) REFERENCES questionnaires (survey_id, version)
) STRICT;

-- An enterprise or a public agency. `identity` is what makes it one organisation: the tax code
-- of an enterprise, the area and normalised name of an agency.
CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('enterprise', 'agency')),
    identity   TEXT NOT NULL UNIQUE,
    tax_code   TEXT,
    name       TEXT NOT NULL,
    area_code  TEXT REFERENCES areas (code),
    created_at TEXT NOT NULL
) STRICT;

-- One response per organisation and wave. The stratum (area, section, size class) is kept as it
-- was when answered; scores and indicators as computed on submission, with the version used.
CREATE TABLE responses (
    id              INTEGER PRIMARY KEY,
    wave_id         TEXT NOT NULL REFERENCES waves (id),
    survey_id       TEXT NOT NULL,
    version         INTEGER NOT NULL,
    organisation_id INTEGER REFERENCES organisations (id),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    -- SHA-256 of the respondent's resume token; the token itself is never stored.
    resume_hash     BLOB UNIQUE CHECK (resume_hash IS NULL OR length(resume_hash) = 32),
    answers         TEXT NOT NULL CHECK (json_valid(answers)),
    area_code       TEXT REFERENCES areas (code),
    vsic_section    TEXT REFERENCES sectors (section),
    size_class      TEXT CHECK (size_class IN ('micro', 'small', 'medium', 'large')),
    overall_score   REAL CHECK (overall_score BETWEEN 0 AND 100),
    level           TEXT,
    scores          TEXT CHECK (scores IS NULL OR json_valid(scores)),
    indicators      TEXT CHECK (indicators IS NULL OR json_valid(indicators)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT,
    FOREIGN KEY (survey_id, version) REFERENCES questionnaires (survey_id, version)
) STRICT;

CREATE UNIQUE INDEX responses_one_per_organisation_and_wave ON responses (wave_id, organisation_id);
CREATE INDEX responses_by_wave_area ON responses (wave_id, survey_id, status, area_code);
CREATE INDEX responses_by_wave_sector ON responses (wave_id, survey_id, status, vsic_section);
