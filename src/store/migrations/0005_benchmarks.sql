-- The snapshots respondents are compared with (docs/disclosure.md, section 5): one per wave,
-- questionnaire and group, holding the responses submitted before the day it was taken.
CREATE TABLE benchmarks (
    wave_id TEXT NOT NULL REFERENCES waves (id),
    survey_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('area', 'sector')),
    code TEXT NOT NULL,
    -- The Hanoi date it was taken: it holds the responses submitted before that day began.
    taken_on TEXT NOT NULL,
    responses INTEGER NOT NULL,
    overall REAL,
    -- JSON object: dimension id -> mean score.
    dimensions TEXT NOT NULL,
    PRIMARY KEY (wave_id, survey_id, kind, code)
);
