-- The counter row must exist before the first append; revision 0 means "no events yet".
INSERT INTO "revision_counter" ("id", "value") VALUES (1, 0);
