-- The business-register frame of a wave: enterprises per stratum (area × VSIC section × size).
CREATE TABLE frame_strata (
    wave_id      TEXT NOT NULL REFERENCES waves (id),
    area_code    TEXT NOT NULL REFERENCES areas (code),
    vsic_section TEXT NOT NULL REFERENCES sectors (section),
    size_class   TEXT NOT NULL CHECK (size_class IN ('micro', 'small', 'medium', 'large')),
    enterprises  INTEGER NOT NULL CHECK (enterprises >= 0),
    PRIMARY KEY (wave_id, area_code, vsic_section, size_class)
) STRICT;

-- Compact copies of a submitted response's indicators (bit i = indicator i of its questionnaire
-- version) and dimension scores (little-endian f64 per dimension, NaN for none), so that
-- statistics over a million responses need no JSON parsing. The JSON columns stay the record.
ALTER TABLE responses ADD COLUMN indicator_bits INTEGER;
ALTER TABLE responses ADD COLUMN score_values BLOB;

-- Statistics read only these columns of every submitted response: with them all in one index,
-- SQLite never touches the wide rows (their answers JSON), which halves the time of the figures.
CREATE INDEX responses_statistics
    ON responses (wave_id, survey_id, status, area_code, vsic_section, size_class, indicator_bits, score_values, version);

-- A submitted response as the microdata export reads it: its stratum, compact results and its
-- answers as microdata cells (CSV, in its questionnaire version's column order). Written once,
-- with the submission (a submitted response never changes), and scanned in id order, so that
-- exporting a million responses reads this narrow table sequentially and never the wide rows.
CREATE TABLE microdata_rows (
    response_id    INTEGER PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
    wave_id        TEXT NOT NULL,
    survey_id      TEXT NOT NULL,
    version        INTEGER NOT NULL,
    area_code      TEXT,
    vsic_section   TEXT,
    size_class     TEXT,
    indicator_bits INTEGER NOT NULL,
    score_values   BLOB NOT NULL,
    cells          TEXT NOT NULL
) STRICT;

CREATE INDEX microdata_rows_by_wave ON microdata_rows (wave_id, survey_id);
