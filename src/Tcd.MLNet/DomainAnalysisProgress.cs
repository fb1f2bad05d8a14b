using System.Globalization;
using Microsoft.ML.Runtime;
using Tcd.Models.Xpert;

namespace Tcd.MLNet;

/// <summary>
/// Reports the expert analysis to an ML.NET channel and the caller (as <see cref="ChannelProgress{T}"/>), keeping each
/// domain's last report so that a domain whose text ended before one batch was full can be warned of afterwards.
/// </summary>
internal sealed class DomainAnalysisProgress(IChannel channel, IProgress<ExpertActivationProgress>? user) : IProgress<ExpertActivationProgress>
{
    private readonly ChannelProgress<ExpertActivationProgress> reports = new(channel, user);
    private readonly Dictionary<int, ExpertActivationProgress> lastOfDomain = [];

    public void Report(ExpertActivationProgress value)
    {
        lastOfDomain[value.DomainIndex] = value;
        reports.Report(value);
    }

    /// <summary>Warns on the channel of every domain that <see cref="ExpertActivationOptions.EndedBeforeOneBatch"/>.</summary>
    public void WarnOfShortDomains(ExpertActivationOptions options)
    {
        foreach (var domain in lastOfDomain.OrderBy(entry => entry.Key).Select(entry => entry.Value).Where(options.EndedBeforeOneBatch))
        {
            channel.Warning(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"XPERT: domain '{domain.Domain}' gave only {domain.Tokens} tokens, less than one batch (BatchSize {options.BatchSize} × MaxSequenceLength {options.MaxSequenceLength}); {CommonExpertSelector.ShortDomainWarning}"));
        }
    }
}
