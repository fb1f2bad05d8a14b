using System.Diagnostics;

namespace Tcd.Docs.Tests;

/// <summary>
/// The committed plain-Python reference fixtures (tests/Tcd.Models.Tests/Interop/Fixtures/reference-*) are exactly what
/// <c>tools/reference_bert.py</c> writes today, so the script and the fixtures the model tests read cannot drift apart.
/// </summary>
public class ReferenceFixtureTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("tcd-reference-fixtures-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [PythonFact]
    public void The_committed_reference_fixtures_are_what_the_script_writes()
    {
        var root = RepositoryFiles.Root();
        var committed = Path.Combine(root, "tests", "Tcd.Models.Tests", "Interop", "Fixtures");
        // The script takes about a second; the limit stops a hung one instead of the test run.
        var run = ChildProcess.Run(new ProcessStartInfo("python3", ["tools/reference_bert.py", "--out", output]) { WorkingDirectory = root }, TimeSpan.FromMinutes(2));
        run.ExitCode.Should().Be(0, run.Error);

        var written = Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(path => Path.GetRelativePath(output, path)).Order(StringComparer.Ordinal).ToList();
        written.Should().HaveCountGreaterThan(20).And.OnlyContain(path => path.StartsWith("reference-", StringComparison.Ordinal));
        foreach (var file in written)
        {
            File.ReadAllBytes(Path.Combine(output, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(committed, file)))
                .Should().BeTrue($"{file} must be regenerated with `python3 tools/reference_bert.py` and committed");
        }
    }

    /// <summary>A fact skipped where no <c>python3</c> is on the PATH.</summary>
    private sealed class PythonFactAttribute : FactAttribute
    {
        public PythonFactAttribute()
        {
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Any(folder => File.Exists(Path.Combine(folder, "python3")));
            if (!onPath)
            {
                Skip = "python3 is not on the PATH; tools/reference_bert.py cannot be run here.";
            }
        }
    }
}
