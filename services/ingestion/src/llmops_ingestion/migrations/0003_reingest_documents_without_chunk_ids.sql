-- Documents recorded before chunk ids were kept (0002) have none: the next sync cannot tell which
-- chunks it may reuse, and their chunk count reads 0. Forgetting their content hash makes that sync
-- ingest them again whole, as a new version whose manifest replaces what retrieval holds.
UPDATE documents SET content_hash = '' WHERE cardinality(chunk_ids) = 0 AND NOT deleted;
