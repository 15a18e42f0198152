-- Public agencies join the register: a register entry is an enterprise (tax code, VSIC section,
-- size class) or an agency (name, ward and kind: the agency questionnaire's `agency_level`
-- choices). `code` names an entry in forms, commands and follow-up: the tax code of an
-- enterprise, the office's own code of an agency (for example its budget-relation code).
-- SQLite cannot relax NOT NULL in place, so the table is rebuilt (foreign keys are checked
-- before the migration commits).
CREATE TABLE register_units_new (
    id           INTEGER PRIMARY KEY,
    wave_id      TEXT NOT NULL REFERENCES waves (id),
    kind         TEXT NOT NULL CHECK (kind IN ('enterprise', 'agency')),
    code         TEXT NOT NULL,
    tax_code     TEXT,
    name         TEXT NOT NULL,
    area_code    TEXT NOT NULL REFERENCES areas (code),
    vsic_section TEXT REFERENCES sectors (section),
    size_class   TEXT CHECK (size_class IS NULL OR size_class IN ('micro', 'small', 'medium', 'large')),
    agency_kind  TEXT,
    address      TEXT,
    email        TEXT,
    phone        TEXT,
    language     TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    CHECK (kind = 'enterprise' AND tax_code = code AND vsic_section IS NOT NULL
               AND size_class IS NOT NULL AND agency_kind IS NULL
           OR kind = 'agency' AND tax_code IS NULL AND vsic_section IS NULL
               AND size_class IS NULL AND agency_kind IS NOT NULL),
    UNIQUE (wave_id, code)
) STRICT;
INSERT INTO register_units_new (id, wave_id, kind, code, tax_code, name, area_code, vsic_section,
                                size_class, address, email, phone, language)
    SELECT id, wave_id, 'enterprise', tax_code, tax_code, name, area_code, vsic_section, size_class,
           address, email, phone, language
    FROM register_units;
DROP TABLE register_units;
ALTER TABLE register_units_new RENAME TO register_units;

-- Agencies are a census: every one is in the wave's fieldwork with inclusion probability 1,
-- whether or not enterprises were sampled, so a unit of fieldwork belongs to its wave, not
-- to a drawn sample.
CREATE TABLE sample_units_new (
    unit_id   INTEGER PRIMARY KEY REFERENCES register_units (id),
    wave_id   TEXT NOT NULL REFERENCES waves (id),
    inclusion REAL NOT NULL CHECK (inclusion > 0 AND inclusion <= 1)
) STRICT;
INSERT INTO sample_units_new (unit_id, wave_id, inclusion)
    SELECT unit_id, wave_id, inclusion FROM sample_units;
DROP TABLE sample_units;
ALTER TABLE sample_units_new RENAME TO sample_units;
CREATE INDEX sample_units_by_wave ON sample_units (wave_id);

-- Removing a register entry checks that nothing refers to it: without these indexes each check
-- read every e-mail and every response (of all waves) once per entry removed.
CREATE INDEX outbox_by_unit ON outbox (unit_id);
CREATE INDEX responses_by_register_unit ON responses (register_unit_id) WHERE register_unit_id IS NOT NULL;
