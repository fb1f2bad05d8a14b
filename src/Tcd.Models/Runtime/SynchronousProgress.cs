namespace Tcd.Models.Runtime;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the thread doing the work. .NET's <see cref="Progress{T}"/> posts each
/// report to the thread pool in a console app, so lines arrive out of order (even after the run's final summary) and
/// tests that assert on reports race with them; the trainers report between steps, so a synchronous callback is cheap.
/// </summary>
/// <typeparam name="T">The progress record, e.g. <c>PretrainingProgress</c>.</typeparam>
/// <param name="report">Called with each report, on the training thread.</param>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Action<T> report = report ?? throw new ArgumentNullException(nameof(report));

    /// <inheritdoc />
    public void Report(T value) => report(value);
}
