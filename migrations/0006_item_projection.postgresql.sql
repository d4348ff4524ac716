-- What item lists filter on without reading each instance's JSON (docs/architecture.md, "Listing
-- items"): when the current time limit ends, the escalation steps taken, and everyone the item
-- names. The engine writes them with every change and sets projected; rows written before this
-- migration have projected 0 until `rectify migrate` projects them (lists treat them as candidates
-- of every query meanwhile, so nothing is missed). A page of a few units' items is read a unit at a
-- time in id order (instances_by_unit_id). due_at and escalation_level are not indexed (and
-- projected, in the partial index's condition, changes once), so a firing or a reminder touches no
-- index.
ALTER TABLE instances ADD COLUMN due_at BIGINT;
ALTER TABLE instances ADD COLUMN escalation_level BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN projected BIGINT NOT NULL DEFAULT 0;
CREATE INDEX instances_by_unit_id ON instances (unit_id, id);
CREATE INDEX instances_not_projected ON instances (id) WHERE projected = 0;

CREATE TABLE instance_people (
  person      TEXT NOT NULL,
  instance_id TEXT NOT NULL REFERENCES instances (id),
  PRIMARY KEY (person, instance_id)
);
CREATE INDEX instance_people_by_instance ON instance_people (instance_id);
