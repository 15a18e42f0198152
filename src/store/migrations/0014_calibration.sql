-- How a sample wave's weights are calibrated to its register (docs/methodology.md §3a): the
-- margins (comma-separated: area, section, size, section_size), the distance, and optional
-- bounds on the ratio of a calibrated weight to its weight before calibration. No row: the
-- weights stay non-response adjusted.
CREATE TABLE wave_calibration (
    wave_id  TEXT PRIMARY KEY REFERENCES waves (id),
    margins  TEXT NOT NULL CHECK (length(margins) BETWEEN 1 AND 100),
    distance TEXT NOT NULL CHECK (distance IN ('linear', 'raking', 'logit')),
    lower    REAL CHECK (lower IS NULL OR lower < 1),
    upper    REAL CHECK (upper IS NULL OR upper > 1),
    set_at   TEXT NOT NULL
) STRICT;
