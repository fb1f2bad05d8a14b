using Microsoft.ML;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Xpert;

namespace Tcd.MLNet;

/// <summary>Turns named domain data views into the streamed corpora and analysis settings of XPERT, with schema checks that name the domain.</summary>
internal static class DomainCorpora
{
    /// <summary>
    /// One corpus per domain, in the dictionary's enumeration order, each streaming the text column through fresh
    /// cursors, without the rows that are blank for <paramref name="encoder"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No domain, a blank name or a null data view.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A domain lacks the text column or it is not String; the message names the domain and column.</exception>
    public static List<KeyValuePair<string, TextCorpus>> Read(IDictionary<string, IDataView> domains, string textColumnName, BertTextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentException.ThrowIfNullOrWhiteSpace(textColumnName);
        if (domains.Count == 0)
        {
            throw new ArgumentException("Pass at least one domain: a name and an IDataView with a text column.", nameof(domains));
        }

        foreach (var (name, data) in domains)
        {
            if (string.IsNullOrWhiteSpace(name) || data is null)
            {
                throw new ArgumentException($"Every domain needs a non-blank name and a data view; domain '{name}' has {(data is null ? "no data view" : "a blank name")}.", nameof(domains));
            }

            SchemaChecks.RequireText(data.Schema, textColumnName, $"text of domain '{name}'");
        }

        return domains.Select(domain => KeyValuePair.Create(domain.Key, TextCorpus.FromTexts(new TextColumnSource(domain.Value, textColumnName, encoder)))).ToList();
    }

    /// <summary>The analyzer settings of <paramref name="options"/> for <paramref name="moe"/>.</summary>
    /// <exception cref="ArgumentException">The model is not MoE, or the segment length exceeds its MaxPositions.</exception>
    public static ExpertActivationOptions ActivationOptions(PretrainedBertTransformer moe, ExpertAnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(moe);
        ArgumentNullException.ThrowIfNull(options);
        if (!moe.Config.IsMoe)
        {
            throw new ArgumentException(
                "Expert analysis needs a Mixture-of-Experts model (from PretrainMoe or Distill), but this transformer holds a vanilla BERT (ExpertCount = 0).",
                nameof(moe));
        }

        var length = options.MaxSequenceLength ?? moe.MaxSequenceLength;
        moe.Config.RequireSequenceFits(length, nameof(options.MaxSequenceLength), "MoE model");

        var activation = new ExpertActivationOptions
        {
            BatchSize = options.BatchSize,
            MaxSequenceLength = length,
            MaxSegmentsPerDomain = options.MaxSegmentsPerDomain,
            MaxTokensPerDomain = options.MaxTokensPerDomain,
        };
        activation.Validate();
        return activation;
    }
}
