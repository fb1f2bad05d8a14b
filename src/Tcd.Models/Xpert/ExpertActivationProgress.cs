namespace Tcd.Models.Xpert;

/// <summary>One progress report of <see cref="ExpertActivationAnalyzer"/>, sent after every batch.</summary>
/// <param name="Domain">Name of the domain being analysed.</param>
/// <param name="DomainIndex">0-based index of that domain.</param>
/// <param name="DomainCount">Number of domains.</param>
/// <param name="Segments">Segments of this domain routed so far.</param>
/// <param name="Tokens">Real tokens of this domain routed so far.</param>
public sealed record ExpertActivationProgress(string Domain, int DomainIndex, int DomainCount, long Segments, long Tokens)
{
    /// <summary>A one-line summary for logs and consoles, e.g. <c>domain wiki (1/4): 64 segments, 8123 tokens routed</c>.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"domain {Domain} ({DomainIndex + 1}/{DomainCount}): {Segments} segments, {Tokens} tokens routed");
}
