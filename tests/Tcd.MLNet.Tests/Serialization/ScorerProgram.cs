using System.Diagnostics;
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
        var program = ProgramPath();
        File.Exists(program).Should().BeTrue($"the solution build puts the scorer at {program}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { program, modelFile, rowsFile, scoresFile })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The scorer ran longer than {Limit}.");
        }

        process.ExitCode.Should().Be(0, $"the scorer succeeds (stdout: {output.Result}; stderr: {error.Result})");
        return File.ReadAllLines(scoresFile)
            .Select(line => line.Split('\t').Select(value => float.Parse(value, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
    }

    /// <summary>The scorer's program in the configuration and framework these tests were built for.</summary>
    private static string ProgramPath()
    {
        const string name = "Tcd.MLNet.Scorer";
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var testsFolder = framework.Parent.Parent!.Parent!.Parent!;
        return Path.Combine(testsFolder.FullName, name, "bin", configuration, framework.Name, name + ".dll");
    }
}
