using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Xpert;

/// <summary>
/// XPERT step 1: runs a trained MoE-BERT over several domain corpora (inference only: eval mode, no gradients) and
/// counts, per layer and domain, how many real tokens each expert's router chose (top-1, before any capacity drop).
/// </summary>
/// <remarks>
/// Each domain's corpus is packed into contiguous segments with <see cref="SegmentPacker"/> (the pre-training format)
/// and read up to <see cref="ExpertActivationOptions.MaxSegmentsPerDomain"/> segments /
/// <see cref="ExpertActivationOptions.MaxTokensPerDomain"/> tokens. Counts accumulate on the model's device and are
/// copied to the host once per domain.
/// </remarks>
public sealed class ExpertActivationAnalyzer
{
    private readonly BertTextEncoder encoder;
    private readonly ExpertActivationOptions options;

    /// <summary>Creates an analyzer.</summary>
    /// <param name="encoder">The tokeniser the model was trained with.</param>
    /// <param name="options">Batching and limits; null uses the defaults.</param>
    public ExpertActivationAnalyzer(BertTextEncoder encoder, ExpertActivationOptions? options = null)
    {
        this.encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        this.options = options ?? new ExpertActivationOptions();
        this.options.Validate();
    }

    /// <summary>Analyses a masked-LM model (its encoder <see cref="BertForMaskedLm.Bert"/>).</summary>
    /// <inheritdoc cref="Analyze(BertModel, IEnumerable{KeyValuePair{string, TextCorpus}}, IProgress{ExpertActivationProgress}?, CancellationToken)"/>
    public ExpertActivationTable Analyze(
        BertForMaskedLm model,
        IEnumerable<KeyValuePair<string, TextCorpus>> domains,
        IProgress<ExpertActivationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Analyze(model.Bert, domains, progress, cancellationToken);
    }

    /// <summary>Analyses in-memory texts: each domain's texts become one <see cref="TextCorpus.FromTexts"/> corpus.</summary>
    /// <inheritdoc cref="Analyze(BertModel, IEnumerable{KeyValuePair{string, TextCorpus}}, IProgress{ExpertActivationProgress}?, CancellationToken)"/>
    public ExpertActivationTable Analyze(
        BertModel model,
        IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> domains,
        IProgress<ExpertActivationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domains);
        return Analyze(
            model,
            domains.Select(domain => KeyValuePair.Create(domain.Key, TextCorpus.FromTexts(domain.Value))),
            progress,
            cancellationToken);
    }

    /// <summary>Counts the experts chosen for every real token of every domain.</summary>
    /// <param name="model">A MoE model (<see cref="BertConfig.IsMoe"/>); its training mode is restored afterwards.</param>
    /// <param name="domains">Domain name → corpus, in the order the table lists them; names unique.</param>
    /// <param name="progress">Receives a report after each batch.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <exception cref="ArgumentException">The model is not a MoE model, or a domain yields no text.</exception>
    public ExpertActivationTable Analyze(
        BertModel model,
        IEnumerable<KeyValuePair<string, TextCorpus>> domains,
        IProgress<ExpertActivationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(domains);
        var config = model.Config;
        if (!config.IsMoe)
        {
            throw new ArgumentException(
                "Expert activation analysis needs a Mixture-of-Experts model (BertConfig.ExpertCount > 0), but this model is vanilla BERT.",
                nameof(model));
        }

        var domainList = domains.ToList();
        if (domainList.Count == 0)
        {
            throw new ArgumentException("Pass at least one domain corpus.", nameof(domains));
        }

        if (options.Device is { } deviceName)
        {
            model.to(TorchRuntime.ResolveDevice(deviceName));
        }

        var device = model.parameters().First().device;
        var counts = new long[config.NumLayers, domainList.Count, config.ExpertCount];
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            for (var domain = 0; domain < domainList.Count; domain++)
            {
                var (name, corpus) = domainList[domain];
                var domainCounts = CountDomain(model, name, domain, domainList.Count, corpus, device, progress, cancellationToken);
                for (var layer = 0; layer < config.NumLayers; layer++)
                {
                    for (var expert = 0; expert < config.ExpertCount; expert++)
                    {
                        counts[layer, domain, expert] = domainCounts[layer, expert];
                    }
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        return new ExpertActivationTable(domainList.Select(domain => domain.Key).ToList(), counts);
    }

    /// <summary>Routes one domain's segments and returns the counts [layers, experts].</summary>
    private long[,] CountDomain(
        BertModel model,
        string name,
        int domainIndex,
        int domainCount,
        TextCorpus corpus,
        Device device,
        IProgress<ExpertActivationProgress>? progress,
        CancellationToken cancellationToken)
    {
        var config = model.Config;
        var collator = new BatchCollator(encoder.SpecialTokenIds);
        var packer = new SegmentPacker(encoder, options.MaxSequenceLength);
        using var total = zeros([config.NumLayers, config.ExpertCount], dtype: ScalarType.Int64, device: device);
        long segments = 0, tokens = 0;
        foreach (var batch in LimitedSegments(packer.Pack(corpus, cancellationToken)).Chunk(options.BatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var collated = collator.Collate(batch, device);
            var output = model.forward(collated.InputIds, collated.TokenTypeIds, collated.AttentionMask, EncoderTaps.None);
            total.add_(stack(output.MoeRouting.Select(routing => routing.TokensPerExpert), dim: 0), TorchScalars.One);
            segments += batch.Length;
            tokens += batch.Sum(segment => (long)segment.Length);
            progress?.Report(new ExpertActivationProgress(name, domainIndex, domainCount, segments, tokens));
        }

        if (segments == 0)
        {
            throw new ArgumentException(
                $"Domain '{name}' ({corpus.Description}) yields no text to analyse; give it at least one non-blank document.", "domains");
        }

        var host = total.cpu().data<long>().ToArray();
        var result = new long[config.NumLayers, config.ExpertCount];
        Buffer.BlockCopy(host, 0, result, 0, host.Length * sizeof(long));
        return result;
    }

    private IEnumerable<EncodedText> LimitedSegments(IEnumerable<EncodedText> segments)
    {
        long taken = 0, tokens = 0;
        foreach (var segment in segments)
        {
            if (taken == options.MaxSegmentsPerDomain || (taken > 0 && tokens + segment.Length > options.MaxTokensPerDomain))
            {
                yield break;
            }

            taken++;
            tokens += segment.Length;
            yield return segment;
        }
    }
}
