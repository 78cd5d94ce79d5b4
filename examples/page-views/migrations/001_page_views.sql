-- The example's own table: Sluice's sink writes one row here per completed PAGE_VIEW task, in the
-- same statement that commits the task's row in Sluice's `tasks` table (so it lives in the same
-- database as Sluice's tables).
--
-- There is deliberately NO unique key on task_id. A worker that dies after its commit and before
-- the queue's acknowledgement makes another worker run the same tasks again; that run's sink rows
-- are dropped by Sluice, which writes them only for task rows its statement newly inserts. So the
-- exactly-once comes from Sluice, not from a constraint here: see the README and the spec in
-- src/exactly-once.test.ts, which counts the rows per task_id after such a crash.
CREATE TABLE IF NOT EXISTS page_views (
  -- A surrogate key of the table's own, left out of every sink row: a column default works as in
  -- a plain INSERT. Two rows of one task would get two ids, so it cannot hide a double write.
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id       uuid        NOT NULL,
  site          text        NOT NULL,
  visitor_id    text        NOT NULL,
  viewed_at     timestamptz NOT NULL,
  host          text        NOT NULL,
  path          text        NOT NULL,
  utm_source    text,
  utm_medium    text,
  utm_campaign  text,
  referrer_host text,
  browser       text        NOT NULL,
  browser_major integer,
  os            text        NOT NULL,
  device        text        NOT NULL CHECK (device IN ('desktop', 'mobile', 'tablet', 'bot', 'unknown')),
  recorded_at   timestamptz NOT NULL DEFAULT now()
);

-- For looking a view up by its task, and for the spec's count per task: not unique, on purpose.
CREATE INDEX IF NOT EXISTS page_views_task_id ON page_views (task_id);
-- What a dashboard asks: the views of one site over a time range.
CREATE INDEX IF NOT EXISTS page_views_site_viewed_at ON page_views (site, viewed_at);
