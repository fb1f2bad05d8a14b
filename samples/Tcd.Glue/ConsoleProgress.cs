using Tcd.Experiments.Glue;

namespace Tcd.Glue;

/// <summary>Prints one line per report: stored cells, training steps and epochs, finished cells, each with the grid's ETA.</summary>
internal sealed class ConsoleProgress : IProgress<GlueSuiteProgress>
{
    public void Report(GlueSuiteProgress value) => Console.WriteLine(value.ToString());
}
