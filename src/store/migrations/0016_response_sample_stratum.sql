-- Each response keeps the sample stratum of its register unit (NULL when the unit is not a
-- sampled enterprise), kept by triggers whatever sets the unit or draws the sample: the
-- statistics pass of a sample wave then reads it from the covering index and need not read
-- the sampled units at all (BENCHMARKS.md, "A sample wave end to end").
ALTER TABLE responses ADD COLUMN sample_stratum INTEGER;

UPDATE responses SET sample_stratum = (
    SELECT s.stratum FROM sample_units s
    WHERE s.unit_id = responses.register_unit_id AND s.wave_id = responses.wave_id)
WHERE register_unit_id IS NOT NULL;


CREATE TRIGGER responses_sample_stratum_on_insert AFTER INSERT ON responses
WHEN NEW.register_unit_id IS NOT NULL
BEGIN
    UPDATE responses SET sample_stratum = (
        SELECT s.stratum FROM sample_units s
        WHERE s.unit_id = NEW.register_unit_id AND s.wave_id = NEW.wave_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER responses_sample_stratum_on_update AFTER UPDATE OF register_unit_id ON responses
BEGIN
    UPDATE responses SET sample_stratum = (
        SELECT s.stratum FROM sample_units s
        WHERE s.unit_id = NEW.register_unit_id AND s.wave_id = NEW.wave_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER sample_units_stratum_to_responses AFTER INSERT ON sample_units
WHEN NEW.stratum IS NOT NULL
BEGIN
    UPDATE responses SET sample_stratum = NEW.stratum
    WHERE register_unit_id = NEW.unit_id AND wave_id = NEW.wave_id;
END;

DROP INDEX responses_statistics;
CREATE INDEX responses_statistics
    ON responses (wave_id, survey_id, status, standing, area_code, vsic_section, size_class, indicator_bits, score_values, version, organisation_id, register_unit_id, sample_stratum);
