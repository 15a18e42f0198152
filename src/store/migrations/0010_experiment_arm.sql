-- The arm of its questionnaire's split-ballot experiment a response was assigned at random when
-- it started (surveys/README.md, "Split-ballot experiments"); NULL when the questionnaire
-- declares none. Set once, never changed.
ALTER TABLE responses ADD COLUMN arm TEXT;
ALTER TABLE microdata_rows ADD COLUMN arm TEXT;
