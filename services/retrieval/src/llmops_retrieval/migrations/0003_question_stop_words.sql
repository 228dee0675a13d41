-- Questions are parsed without English stop words. ts_rank_cd has no inverse document frequency, so
-- "how", "do", "the" of a question counted as much as its content words, and matched nearly every
-- chunk: the text search then ranked over a thousand rows a question at 5,000 chunks (decision 0033).
-- The list is PostgreSQL's own (Snowball's english.stop); chunks keep every word in their tsvector.
CREATE TEXT SEARCH DICTIONARY simple_english_stop (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION question_terms (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION question_terms ALTER MAPPING REPLACE pg_catalog.simple WITH simple_english_stop;
