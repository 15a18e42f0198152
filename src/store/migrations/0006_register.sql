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

