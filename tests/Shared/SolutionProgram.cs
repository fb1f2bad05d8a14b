using System.Diagnostics;
using System.Text;

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
    /// its environment and returns its exit code and what it printed. A run longer than <paramref name="limit"/> is
    /// killed, with its child processes, and throws <see cref="TimeoutException"/>. <paramref name="onOutputLine"/>, when
    /// given, sees each line of standard output as it is printed, with the process (to stop it at a line, say).
    /// </summary>
    public static (int ExitCode, string Output, string Error) Run(
        string program, IReadOnlyList<string> args, TimeSpan limit, IEnumerable<(string Name, string Value)>? environment = null, Action<Process, string>? onOutputLine = null)
    {
        var name = Path.GetFileNameWithoutExtension(program);
        File.Exists(program).Should().BeTrue($"the solution build puts {name} at {program}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (variable, value) in environment ?? [])
        {
            start.Environment[variable] = value;
        }

        start.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        // A thread of its own, not a continuation queued behind busy test threads: a caller that stops the program at a
        // line must reach it within the few steps a tiny run has left after that line.
        var output = Task.Factory.StartNew(
            () => ReadLines(process, onOutputLine), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} {string.Join(' ', args)} ran longer than {limit}.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    private static string ReadLines(Process process, Action<Process, string>? onOutputLine)
    {
        var text = new StringBuilder();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            text.AppendLine(line);
            onOutputLine?.Invoke(process, line);
        }

        return text.ToString();
    }
}
