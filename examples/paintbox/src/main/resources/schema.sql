-- Paintbox's own table: the list of estimates. Their content is in the collaborative documents (estimate-<id>).
-- Runs at every start (spring.sql.init.mode=always), so it must be a no-op the second time. H2 and PostgreSQL.
CREATE TABLE IF NOT EXISTS paintbox_estimate (
  id VARCHAR(16) PRIMARY KEY,
  title VARCHAR(120) NOT NULL,
  created TIMESTAMP WITH TIME ZONE NOT NULL
);
-- How often the estimate was renamed: of two answers about it, the page keeps the one with the higher number, so two
-- renames at once end with the title committed last on every page. (A column of its own: lists from before have none.)
ALTER TABLE paintbox_estimate ADD COLUMN IF NOT EXISTS title_version BIGINT NOT NULL DEFAULT 0;

-- How often the list changed (a creation or a deletion, in the same transaction): an instance reads the list's ids
-- again only after it changed (ListedEstimatesAuthenticator). One row.
CREATE TABLE IF NOT EXISTS paintbox_list_version (
  one INT PRIMARY KEY CHECK (one = 1),
  version BIGINT NOT NULL
);
INSERT INTO paintbox_list_version (one, version) VALUES (1, 0) ON CONFLICT DO NOTHING;

-- Users whose access the host revoked (RevokedUsers): every instance refuses their tokens issued until then. A row per
-- revocation; the latest counts. Each revocation deletes the rows older than paintbox.max-token-lifetime (every token
-- issued before them has expired).
CREATE TABLE IF NOT EXISTS paintbox_revocation (
  user_name VARCHAR NOT NULL,
  revoked TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX IF NOT EXISTS paintbox_revocation_user ON paintbox_revocation (user_name);
