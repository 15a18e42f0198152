-- The change of an estimate between waves links an organisation's responses across waves
-- (docs/methodology.md §5a), and a sample wave places each response by its register unit's
-- stratum: the statistics pass reads both from the covering index.
DROP INDEX responses_statistics;
CREATE INDEX responses_statistics
    ON responses (wave_id, survey_id, status, standing, area_code, vsic_section, size_class, indicator_bits, score_values, version, organisation_id, register_unit_id);

-- A sample's strata as drawn (the register cannot change once a sample is drawn): each
-- stratum's codes and sampled units, and each sampled enterprise's stratum, so that the
-- estimator reads integers rather than every register row (BENCHMARKS.md, "A sample wave end
-- to end"). Agencies, invited whole, have no stratum.
CREATE TABLE sample_strata (
    wave_id      TEXT NOT NULL REFERENCES samples (wave_id),
    stratum      INTEGER NOT NULL,
    area_code    TEXT NOT NULL,
    vsic_section TEXT NOT NULL,
    size_class   TEXT NOT NULL,
    sampled      INTEGER NOT NULL CHECK (sampled > 0),
    PRIMARY KEY (wave_id, stratum),
    UNIQUE (wave_id, area_code, vsic_section, size_class)
) STRICT;
ALTER TABLE sample_units ADD COLUMN stratum INTEGER;

INSERT INTO sample_strata (wave_id, stratum, area_code, vsic_section, size_class, sampled)
SELECT s.wave_id,
       row_number() OVER (PARTITION BY s.wave_id ORDER BY u.area_code, u.vsic_section, u.size_class),
       u.area_code, u.vsic_section, u.size_class, count(*)
FROM sample_units s JOIN register_units u ON u.id = s.unit_id
WHERE u.kind = 'enterprise'
GROUP BY s.wave_id, u.area_code, u.vsic_section, u.size_class;

UPDATE sample_units SET stratum = (
    SELECT t.stratum FROM register_units u
    JOIN sample_strata t ON t.wave_id = sample_units.wave_id AND t.area_code = u.area_code
        AND t.vsic_section = u.vsic_section AND t.size_class = u.size_class
    WHERE u.id = sample_units.unit_id AND u.kind = 'enterprise');

CREATE INDEX sample_units_by_stratum ON sample_units (wave_id, stratum);
