"""The Ray edge: a sweep run through Ray Tune (`run`, `space`, `searcher`, `progress`,
`summary`), each trial's Ray Train worker group (`worker`), the sweep's actor with its lease table
and report mailboxes (`sweep_actor`, `mailboxes`), the embedded local Ray (`local_ray`) and
cluster jobs (`jobs`). The only package that imports Ray."""
