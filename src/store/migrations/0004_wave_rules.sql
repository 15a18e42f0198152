-- When an administrator closed a wave, so that respondents can be told the date.
ALTER TABLE waves ADD COLUMN closed_at TEXT;

-- One response per organisation, per wave and questionnaire: an enterprise may answer two
-- questionnaires of the same wave.
DROP INDEX responses_one_per_organisation_and_wave;
CREATE UNIQUE INDEX responses_one_per_organisation_wave_and_survey
    ON responses (wave_id, survey_id, organisation_id);
