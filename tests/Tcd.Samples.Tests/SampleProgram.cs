using System.Runtime.InteropServices;

namespace Tcd.Samples.Tests;

/// <summary>Runs a sample's built program in a child process, as a user runs it, and collects what it printed.</summary>
internal static class SampleProgram
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>Runs <c>dotnet samples/&lt;name&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;name&gt;.dll args</c>.</summary>
    public static SampleRun Run(string name, params string[] args) => Run(name, stopAt: null, args);

    /// <summary>
    /// Runs the sample as <see cref="Run(string, string[])"/> does and sends it SIGTERM, as <c>kill</c> or a container
    /// stop would, once a line of its output contains <paramref name="stopAt"/>.
    /// </summary>
    public static SampleRun RunUntil(string stopAt, string name, params string[] args) => Run(name, stopAt, args);

    /// <summary>
    /// Runs a copy of the sample's output folder, made in <paramref name="copyFolder"/> without its native libraries
    /// (<c>runtimes/</c>), with a NuGet cache that is empty too: a machine where TorchSharp finds no libtorch to load.
    /// </summary>
    public static SampleRun RunWithoutNativeLibraries(string name, string copyFolder, params string[] args)
    {
        var outputFolder = Path.GetDirectoryName(ProgramPath(name))!;
        foreach (var file in Directory.EnumerateFiles(outputFolder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(outputFolder, file);
            if (!relative.StartsWith("runtimes" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                var copy = Path.Combine(copyFolder, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
            }
        }

        var emptyNuGetCache = Directory.CreateDirectory(Path.Combine(copyFolder, "empty-nuget-cache")).FullName;
        return RunProgram(Path.Combine(copyFolder, name + ".dll"), stopAt: null, args, ("NUGET_PACKAGES", emptyNuGetCache));
    }

    private static SampleRun Run(string name, string? stopAt, string[] args) => RunProgram(ProgramPath(name), stopAt, args);

    private static SampleRun RunProgram(string program, string? stopAt, string[] args, params (string Name, string Value)[] environment)
    {
        var stopped = false;
        // Called on the launcher's output thread as each line is printed, so the stop follows its line at once.
        var (exitCode, output, error) = SolutionProgram.Run(program, args, Limit, environment, stopAt is null ? null : (process, line) =>
        {
            if (!stopped && line.Contains(stopAt, StringComparison.Ordinal))
            {
                stopped = true;
                SendTerminate(process.Id);
            }
        });
        return new SampleRun(exitCode, output, error);
    }

    private static void SendTerminate(int processId)
    {
        const int sigterm = 15;
        if (OperatingSystem.IsWindows() || kill(processId, sigterm) != 0)
        {
            throw new InvalidOperationException($"Could not send SIGTERM to process {processId} (error {Marshal.GetLastPInvokeError()}).");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>The sample's program in the configuration and framework these tests were built for.</summary>
    private static string ProgramPath(string name) => SolutionProgram.PathOf(Path.Combine("samples", name));
}
