-- The named business register of a wave: one row per enterprise, as fieldwork needs it (who to
-- sample, invite, remind). The frame's counts per stratum derive from it when it is imported;
-- a wave without a named register keeps a counts-only frame.
CREATE TABLE register_units (
    id           INTEGER PRIMARY KEY,
    wave_id      TEXT NOT NULL REFERENCES waves (id),
    tax_code     TEXT NOT NULL,
    name         TEXT NOT NULL,
    area_code    TEXT NOT NULL REFERENCES areas (code),
    vsic_section TEXT NOT NULL REFERENCES sectors (section),
    size_class   TEXT NOT NULL CHECK (size_class IN ('micro', 'small', 'medium', 'large')),
    address      TEXT,
    email        TEXT,
    phone        TEXT,
    UNIQUE (wave_id, tax_code)
) STRICT;


-- The sample drawn from a wave's register: its plan (so that it can be drawn again from the
-- same register to the same units), and every sampled unit with its inclusion probability.
CREATE TABLE samples (
    wave_id           TEXT PRIMARY KEY REFERENCES waves (id),
    seed              INTEGER NOT NULL,
    total             INTEGER NOT NULL CHECK (total > 0),
    min_per_ward_size INTEGER NOT NULL CHECK (min_per_ward_size >= 0),
    prior             REAL NOT NULL CHECK (prior >= 0 AND prior <= 1),
    drawn_at          TEXT NOT NULL
) STRICT;

CREATE TABLE sample_units (
    unit_id   INTEGER PRIMARY KEY REFERENCES register_units (id),
    wave_id   TEXT NOT NULL REFERENCES samples (wave_id),
    inclusion REAL NOT NULL CHECK (inclusion > 0 AND inclusion <= 1)
) STRICT;

-- The personal access code of each invited unit: only its hash. Issuing again replaces it,
-- so the old code stops working.
CREATE TABLE invitations (
    unit_id   INTEGER PRIMARY KEY REFERENCES sample_units (unit_id),
    code_hash BLOB NOT NULL UNIQUE,
    issued_at TEXT NOT NULL
) STRICT;
