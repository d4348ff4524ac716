-- An item's notifications are read by its instance (GET /api/v1/items/{id}, `rectify item show`):
-- without this index each read scanned the whole outbox (213,000 rows in the API benchmark's
-- database: 40 ms of PostgreSQL per item page, and 26 events/s, since an event answers with the
-- item).
CREATE INDEX outbox_by_instance ON outbox (instance_id, id);
