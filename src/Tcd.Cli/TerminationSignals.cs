using System.Runtime.InteropServices;

namespace Tcd.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation while a command runs, so training stops at the next step,
/// saves a checkpoint and returns. A second Ctrl+C ends the process at once, as it would without this. Once the command
/// has finished (<see cref="CommandFinished"/>), the first signal is ignored: the process is only exiting, and the signal
/// would otherwise end it with 130 instead of the command's exit code, after its last line (not a "cancelled" one). A
/// second one still ends it, should the exit ever hang.
/// </summary>
internal sealed class TerminationSignals
{
    /// <summary>
    /// The tool's registrations, held for the life of the process: unregistered (disposed, or finalized once
    /// collected), a signal would get the default handling again, which ends the process.
    /// </summary>
    private static readonly List<PosixSignalRegistration> ProcessRegistrations = [];

    private readonly CancellationTokenSource source = new();
    private volatile bool finished;
    private int signalsAfterFinish;

    /// <summary>Cancelled by the first Ctrl+C or SIGTERM.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>
    /// Listens for the signals until the process ends. Call it first thing: until it is called the runtime's default
    /// handling applies, and a Ctrl+C ends the process with 130 and no output.
    /// </summary>
    public static TerminationSignals ListenUntilExit()
    {
        var signals = new TerminationSignals();
        lock (ProcessRegistrations)
        {
            ProcessRegistrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, signals.Handle));
            ProcessRegistrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, signals.Handle));
        }

        return signals;
    }

    /// <summary>From now on the first Ctrl+C or SIGTERM is ignored: the command has returned its exit code and the process is exiting.</summary>
    public void CommandFinished() => finished = true;

    /// <summary>What a signal does: <see cref="PosixSignalContext.Cancel"/> set keeps the process running.</summary>
    internal void Handle(PosixSignalContext context)
    {
        if (finished)
        {
            context.Cancel = Interlocked.Increment(ref signalsAfterFinish) == 1;
            return;
        }

        // Only the first request during the command is ours to handle; a repeated one gets the default: the process ends.
        context.Cancel = !source.IsCancellationRequested;
        source.Cancel();
    }
}
