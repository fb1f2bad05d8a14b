using System.Runtime.CompilerServices;

// libtorch's global random generator is process-wide: tests that seed it (directly or through the trainers) must not
// run concurrently with tests that draw from it, or their "same seed, same result" assertions race.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

internal static class TestAssemblyThreads
{
    // The test assemblies run side by side on few cores, and the tiny test models gain nothing from intra-op threads:
    // libtorch's worker threads then wait on each other and a step gets several times slower.
    [ModuleInitializer]
    internal static void UseOneIntraOpThread() => TorchSharp.torch.set_num_threads(1);
}
