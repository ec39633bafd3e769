-- Every passage of a pass carries the pass's household, and the household's index of
-- (household, time, direction, result, pass) answers what the pass's own index did: a pass's
-- last passage is its household's latest one of that pass, a few entries back at most. Each
-- scan wrote an entry into both indexes at a random place of a month of passages; one fewer
-- halves the pages every commit at the gate rewrites, and the index took a gigabyte of its own
-- at 40 million passages.
DROP INDEX passages_pass;
