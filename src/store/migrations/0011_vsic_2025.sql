-- VSIC 2025 (Decision 36/2025/QĐ-TTg) has 22 sections, A to V; VSIC 2018 had A to U. The
-- sectors table holds every letter either version uses. Rebuilt as SQLite documents for a
-- changed CHECK (new table, copy, drop, rename); the tables that refer to it keep their
-- references by name.
CREATE TABLE sectors_new (
    section TEXT PRIMARY KEY CHECK (length(section) = 1 AND section BETWEEN 'A' AND 'V'),
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
) STRICT;
INSERT INTO sectors_new (section, name_vi, name_en) SELECT section, name_vi, name_en FROM sectors;
DROP TABLE sectors;
ALTER TABLE sectors_new RENAME TO sectors;
