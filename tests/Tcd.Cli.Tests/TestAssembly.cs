// libtorch's global random generator is process-wide: tests that seed it (directly or through the trainers) must not
// run concurrently with tests that draw from it, or their "same seed, same result" assertions race.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
