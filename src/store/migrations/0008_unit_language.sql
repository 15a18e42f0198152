-- The language an enterprise is written to in (its e-mails); Vietnamese when not given.
ALTER TABLE register_units ADD COLUMN language TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en'));
