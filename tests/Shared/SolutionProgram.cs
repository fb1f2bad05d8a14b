using System.Diagnostics;

namespace Tcd.Testing;

/// <summary>
/// A program of this solution as its build leaves it (<c>&lt;project folder&gt;/bin/&lt;configuration&gt;/&lt;framework&gt;/&lt;name&gt;.dll</c>),
/// run with <c>dotnet</c> in a child process of its own, as a user runs it. Linked into the test projects that start one.
/// </summary>
internal static class SolutionProgram
{
    /// <summary>
    /// The program of the project in <paramref name="projectFolder"/> (from the repository root, e.g.
    /// <c>samples/Tcd.Quickstart</c>) in the configuration and framework these tests were built for.
    /// </summary>
    public static string PathOf(string projectFolder)
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var name = Path.GetFileName(projectFolder);
        return Path.Combine(RepositoryFiles.Root(), projectFolder, "bin", configuration, framework.Name, name + ".dll");
    }

    /// <summary>
    /// Runs <c>dotnet <paramref name="program"/> <paramref name="args"/></c> with <paramref name="environment"/> added to
    /// its environment and returns its exit code and what it printed, as <see cref="ChildProcess.Run"/> does: a run longer
    /// than <paramref name="limit"/> is killed and throws <see cref="TimeoutException"/>; <paramref name="onOutputLine"/>
    /// sees each line of standard output as it is printed.
    /// </summary>
    public static (int ExitCode, string Output, string Error) Run(
        string program, IReadOnlyList<string> args, TimeSpan limit, IEnumerable<(string Name, string Value)>? environment = null, Action<Process, string>? onOutputLine = null)
    {
        File.Exists(program).Should().BeTrue($"the solution build puts {Path.GetFileNameWithoutExtension(program)} at {program}");
        var start = new ProcessStartInfo("dotnet");
        foreach (var (variable, value) in environment ?? [])
        {
            start.Environment[variable] = value;
        }

        start.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return ChildProcess.Run(start, limit, onOutputLine);
    }
}
