using System.Reflection;
using Microsoft.ML.Runtime;

namespace Tcd.MLNet;

/// <summary>
/// The token a Tcd <c>Fit</c> trains under: cancelled by the caller's token or by ML.NET's cancellation of the context
/// (<c>MLContext.CancelExecution</c>), which ML.NET's own trainers honour and AutoML calls when a trial's time is up;
/// its static members read that cancellation for the <c>Transform</c> cursors of the Tcd transformers.
/// </summary>
/// <remarks>
/// ML.NET marks that cancellation on every host of the context through its internal <c>ICancelable</c> interface, which
/// its trainers poll through the equally internal <c>CheckAlive</c>; nothing public exposes it, so the flag is read by
/// reflection and polled. Should a later ML.NET drop the interface, only the caller's token cancels.
/// </remarks>
internal sealed class ContextCancellation : IDisposable
{
    /// <summary>Often enough that a cancelled context stops a run within a step or two; reading the flag costs next to nothing.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private static readonly Type? CancelableType = typeof(IHost).Assembly.GetType("Microsoft.ML.Runtime.ICancelable");

    private static readonly PropertyInfo? IsCanceledProperty = CancelableType?.GetProperty("IsCanceled", typeof(bool));

    private readonly IHost host;

    /// <summary>Whether this ML.NET marks the host's cancellation where it can be read (see the remarks).</summary>
    private readonly bool contextReadable;
    private readonly CancellationTokenSource source;
    private readonly Timer? poll;
    private readonly Lock gate = new();
    private bool disposed;

    /// <param name="host">The estimator's host, registered on the <c>MLContext</c> when the estimator was made.</param>
    /// <param name="token">The caller's token (the options' <c>CancellationToken</c>).</param>
    public ContextCancellation(IHost host, CancellationToken token)
    {
        this.host = host;
        source = CancellationTokenSource.CreateLinkedTokenSource(token);
        contextReadable = IsCanceledProperty is not null && CancelableType!.IsInstanceOfType(host);
        if (contextReadable)
        {
            Poll(state: null);
            poll = new Timer(Poll, state: null, PollInterval, PollInterval);
        }
    }

    /// <summary>Cancelled by the caller's token or by the context.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>Whether the context was cancelled (rather than, or as well as, the caller's token).</summary>
    public bool ByContext => contextReadable && IsCancelled(host);

    /// <summary>
    /// Whether ML.NET's cancellation of the context has reached <paramref name="environment"/>; false where this ML.NET
    /// does not mark it readably (see the remarks). Use an environment from <see cref="Readable"/>.
    /// </summary>
    public static bool IsCancelled(IHostEnvironment environment) =>
        IsCanceledProperty is not null && CancelableType!.IsInstanceOfType(environment) && (bool)IsCanceledProperty.GetValue(environment)!;

    /// <summary>
    /// An environment whose <see cref="IsCancelled"/> follows <paramref name="environment"/>'s context: itself where it
    /// carries the flag (a host), else a host registered on it, since an <c>MLContext</c> keeps the flag on an inner
    /// environment that cancels the hosts registered on it.
    /// </summary>
    // A seed of its own, since a host registered without one draws its seed from the context's random stream, and loading
    // a model must not change what the context's later random operations (a TrainTestSplit, a shuffle) give.
    public static IHostEnvironment Readable(IHostEnvironment environment) =>
        CancelableType is null || CancelableType.IsInstanceOfType(environment) ? environment : environment.Register(nameof(ContextCancellation), seed: 0);

    /// <summary>Names what cancelled the run, for the message of its <see cref="OperationCanceledException"/>.</summary>
    /// <param name="tokenOption">The option holding the caller's token, e.g. <c>BertFineTuningOptions.CancellationToken</c>.</param>
    public string Cause(string tokenOption) => ByContext ? "mlContext.CancelExecution()" : tokenOption;

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
        }

        poll?.Dispose();
        source.Dispose();
    }

    private void Poll(object? state)
    {
        // Under the lock, so that a poll never cancels a source that Dispose has freed.
        lock (gate)
        {
            if (!disposed && !source.IsCancellationRequested && ByContext)
            {
                source.Cancel();
            }
        }
    }
}
