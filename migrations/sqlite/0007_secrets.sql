-- Secrets (issue #8): every client carries the version of its secret, and its tokens name that
-- version (claim "cv"); rotating the secret or deleting the client makes them stop working.
ALTER TABLE clients ADD COLUMN secret_version INTEGER NOT NULL DEFAULT 1;

-- Counters bumped in the same transaction as the writes they track. A process polls a counter to
-- learn cheaply that what it keeps in memory (e.g. every client's secret version) is stale.
CREATE TABLE revisions (
  name TEXT NOT NULL,
  value INTEGER NOT NULL,
  CONSTRAINT revisions_pkey PRIMARY KEY (name)
) STRICT;
INSERT INTO revisions (name, value) VALUES ('clients', 1);

-- signing_keys.private_pem now holds a KEK envelope ("kek1:<nonce>:<ciphertext>"); rows of older
-- databases still hold PEM text until the first start with a KEK encrypts them in place.
