-- What the register knows of an enterprise's size and age (employees, revenue and capital in
-- billions of đồng, founding year), kept to fill in its profile page when it is invited.
ALTER TABLE register_units ADD COLUMN employees INTEGER CHECK (employees >= 0);
ALTER TABLE register_units ADD COLUMN revenue REAL CHECK (revenue >= 0);
ALTER TABLE register_units ADD COLUMN capital REAL CHECK (capital >= 0);
ALTER TABLE register_units ADD COLUMN year_founded INTEGER;
