using System.Diagnostics;

namespace Tcd.Models.Tests.Runtime;

/// <summary>The time limit of the test projects' child processes (tests/Shared/ChildProcess.cs), which every test that starts a program relies on.</summary>
public sealed class ChildProcessTests
{
    [BashFact]
    public void AProgramThatEndsWhileAProcessItStartedHoldsItsOutput_FailsWithinTheLimit()
    {
        // The shell ends at once; the sleep it leaves behind keeps standard output open for 10 s.
        var start = new ProcessStartInfo("bash", ["-c", "sleep 10 & echo started"]);
        var clock = Stopwatch.StartNew();

        var act = () => ChildProcess.Run(start, TimeSpan.FromSeconds(1));

        act.Should().Throw<TimeoutException>().WithMessage("bash -c sleep 10 & echo started ran longer than 00:00:01.");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(8), "the limit holds, not the sleep");
    }

    [BashFact]
    public void AProgramThatEndsWithinTheLimit_GivesItsExitCodeAndBothOutputs()
    {
        var (exitCode, output, error) = ChildProcess.Run(new ProcessStartInfo("bash", ["-c", "echo out; echo err >&2; exit 3"]), TimeSpan.FromSeconds(30));

        exitCode.Should().Be(3);
        output.Should().Be("out" + Environment.NewLine);
        error.Should().Be("err\n");
    }
}
