using System.CommandLine;

namespace Tcd.Samples;

/// <summary>Command-line pieces the samples share, so that they take and print the same things alike.</summary>
internal static class SampleCommandLine
{
    /// <summary>
    /// <c>--threads N</c>: libtorch's intra-op CPU threads for the whole run (<c>TorchRuntime.SetThreads</c>); absent keeps
    /// libtorch's choice. A count below 1 is refused here, because libtorch would end the process on it.
    /// </summary>
    public static Option<int?> Threads()
    {
        var threads = new Option<int?>("--threads")
        {
            Description = "CPU threads for libtorch [default: libtorch's choice]. Tiny models run fastest on 1 (their matrices are too small to split).",
        };
        threads.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } count && count < 1)
            {
                result.AddError($"--threads must be 1 or more, not {count}.");
            }
        });
        return threads;
    }
}
