using System.Runtime.InteropServices;

namespace Tcd.Cli.Tests;

/// <summary>What the tool does with Ctrl+C (SIGINT) and SIGTERM: <see cref="PosixSignalContext.Cancel"/> set keeps the process running.</summary>
public sealed class TerminationSignalsTests
{
    [Fact]
    public void The_first_signal_cancels_the_command_and_keeps_the_process_and_a_second_one_ends_it()
    {
        var signals = new TerminationSignals();

        var first = Send(signals, PosixSignal.SIGINT);

        first.Cancel.Should().BeTrue("the command stops cleanly and says so");
        signals.Token.IsCancellationRequested.Should().BeTrue();
        Send(signals, PosixSignal.SIGINT).Cancel.Should().BeFalse("a second Ctrl+C ends the process at once");
    }

    [Theory]
    [InlineData(PosixSignal.SIGINT, false)]
    [InlineData(PosixSignal.SIGTERM, false)]
    [InlineData(PosixSignal.SIGINT, true)]
    public void After_the_command_finished_a_signal_is_ignored_so_the_process_exits_with_the_commands_code_and_a_second_one_ends_it(PosixSignal signal, bool cancelledBefore)
    {
        var signals = new TerminationSignals();
        if (cancelledBefore)
        {
            Send(signals, PosixSignal.SIGINT);
        }

        signals.CommandFinished();

        Send(signals, signal).Cancel.Should().BeTrue("the process is only exiting; ended by the signal, it would exit with 130 and no 'cancelled' line");
        Send(signals, signal).Cancel.Should().BeFalse("a repeated signal ends the process, should its exit hang");
    }

    private static PosixSignalContext Send(TerminationSignals signals, PosixSignal signal)
    {
        var context = new PosixSignalContext(signal);
        signals.Handle(context);
        return context;
    }
}
