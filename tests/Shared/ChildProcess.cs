using System.Diagnostics;
using System.Text;

namespace Tcd.Testing;

/// <summary>
/// Runs a program in a child process with a time limit that holds whatever the program does: both its outputs are read
/// while the limit runs, so a program that never ends (or never closes its output) fails the test with a
/// <see cref="TimeoutException"/> instead of hanging the test run. Linked into the test projects that start one.
/// </summary>
internal static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="start"/> (its outputs redirected here) and returns its exit code and what it printed. A run
    /// that has not ended, and closed both outputs, within <paramref name="limit"/> is killed, with its child processes,
    /// and throws <see cref="TimeoutException"/>.
    /// <paramref name="onOutputLine"/>, when given, sees each line of standard output as it is printed, with the process
    /// (to stop it at a line, say).
    /// </summary>
    public static (int ExitCode, string Output, string Error) Run(ProcessStartInfo start, TimeSpan limit, Action<Process, string>? onOutputLine = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        // A thread of its own, not a continuation queued behind busy test threads: a caller that stops the program at a
        // line must reach it within the few steps a tiny run has left after that line.
        var output = Task.Factory.StartNew(
            () => ReadLines(process, onOutputLine), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var error = process.StandardError.ReadToEndAsync();
        // The outputs within the limit too: a program can end while a process it started still holds them open, and
        // reading them to their end would then wait for that process.
        if (!process.WaitForExit(limit) || !Task.WaitAll([output, error], TimeSpan.FromTicks(Math.Max(0, (limit - clock.Elapsed).Ticks))))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(start.FileName)} {string.Join(' ', start.ArgumentList)} ran longer than {limit}.");
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
