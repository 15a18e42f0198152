-- The organisation and the submission time of each microdata row, kept beside its cells so that
-- an export reads this narrow table alone: joining the wide responses table for them made the
-- microdata export of 262,500 rows four times slower (BENCHMARKS.md, labelled exports).
ALTER TABLE microdata_rows ADD COLUMN organisation_id INTEGER;
ALTER TABLE microdata_rows ADD COLUMN submitted_at TEXT;
UPDATE microdata_rows
   SET organisation_id = (SELECT r.organisation_id FROM responses r WHERE r.id = response_id),
       submitted_at = (SELECT r.submitted_at FROM responses r WHERE r.id = response_id);
