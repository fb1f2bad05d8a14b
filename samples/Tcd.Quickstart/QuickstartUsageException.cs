namespace Tcd.Quickstart;

/// <summary>
/// A quickstart option the run cannot go ahead with; the message names the option and is shown as one
/// <c>error:</c> line (exit code 2), without a stack trace.
/// </summary>
internal sealed class QuickstartUsageException(string message) : Exception(message);
