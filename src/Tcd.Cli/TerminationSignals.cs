using System.Runtime.InteropServices;

namespace Tcd.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation while a command runs, so training stops at the next step,
/// saves a checkpoint and returns. A second Ctrl+C ends the process at once, as it would without this.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource source;
    private readonly PosixSignalRegistration[] registrations;

    private TerminationSignals(CancellationToken caller)
    {
        source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop)];
    }

    /// <summary>Cancelled by the first Ctrl+C or SIGTERM, or by the caller's token.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>Listens for the signals until disposed.</summary>
    public static TerminationSignals Listen(CancellationToken caller) => new(caller);

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        source.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        // Only the first request is ours to handle; a repeated one gets the default: the process ends.
        context.Cancel = !source.IsCancellationRequested;
        source.Cancel();
    }
}
