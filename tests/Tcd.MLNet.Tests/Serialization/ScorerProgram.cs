using System.Globalization;

namespace Tcd.MLNet.Tests.Serialization;

/// <summary>
/// Runs the built <c>tests/Tcd.MLNet.Scorer</c> program in a process of its own: it loads a model file with
/// <c>mlContext.Tcd().LoadModel</c> and scores rows, as a serving process started after training would.
/// </summary>
internal static class ScorerProgram
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Scores the rows of <paramref name="rowsFile"/> (a header, then tab-separated rows) with the model in
    /// <paramref name="modelFile"/>; returns the components of each row's Score column.
    /// </summary>
    public static float[][] Score(string modelFile, string rowsFile)
    {
        var scoresFile = Path.ChangeExtension(rowsFile, ".scores.txt");
        var (exitCode, output, error) = SolutionProgram.Run(SolutionProgram.PathOf(Path.Combine("tests", "Tcd.MLNet.Scorer")), [modelFile, rowsFile, scoresFile], Limit);

        exitCode.Should().Be(0, $"the scorer succeeds (stdout: {output}; stderr: {error})");
        return File.ReadAllLines(scoresFile)
            .Select(line => line.Split('\t').Select(value => float.Parse(value, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
    }
}
