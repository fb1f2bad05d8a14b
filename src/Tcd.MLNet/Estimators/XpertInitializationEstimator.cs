using Microsoft.ML;
using Microsoft.ML.Runtime;
using Tcd.MLNet.Transformers;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Xpert;

namespace Tcd.MLNet.Estimators;

/// <summary>
/// XPERT as an ML.NET estimator: initialises a dense BERT of a target architecture from the experts that a trained
/// MoE model shares across several domains, and returns it as a <see cref="PretrainedBertTransformer"/> — a featurizer,
/// a starting point for fine-tuning (<c>TextClassifier</c> etc.) or for further pre-training
/// (<see cref="BertPretrainingOptions.InitialModel"/>). Create it with <c>mlContext.Tcd().InitializeFromExperts</c>.
/// </summary>
/// <remarks>
/// The data XPERT learns from are the domain data views given to <c>InitializeFromExperts</c>, not the input of
/// <see cref="Fit"/>: like a pre-trained-model loader, <see cref="Fit"/> reads no row of its input and only checks that
/// it has the text column the returned transformer reads, so the estimator can stand first in a chain. Each call of
/// <see cref="Fit"/> runs the analysis and the decompositions again and returns a new model; the MoE model is not
/// changed. Progress of the analysis goes to <c>mlContext.Log</c> and <see cref="ExpertAnalysisOptions.Progress"/>, that
/// of the Tucker decomposition (per layer and HOOI sweep) to <c>mlContext.Log</c>, as do warnings of a single domain and
/// of a domain whose text ended before one batch was full.
/// </remarks>
public sealed class XpertInitializationEstimator : IEstimator<PretrainedBertTransformer>
{
    private readonly IHost host;
    private readonly PretrainedBertTransformer moe;
    private readonly IDictionary<string, IDataView> domains;
    private readonly XpertInitializationOptions options;
    private readonly XpertPipelineOptions pipelineOptions;

    internal XpertInitializationEstimator(
        IHostEnvironment environment, PretrainedBertTransformer moe, IDictionary<string, IDataView> domains, BertConfig target, XpertInitializationOptions options)
    {
        ArgumentNullException.ThrowIfNull(moe);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TransformBatchSize);
        ArgumentNullException.ThrowIfNull(options.Selection);
        // Built and checked here, so that an invalid rank or Tucker option fails now rather than after every domain is routed in Fit.
        pipelineOptions = new XpertPipelineOptions
        {
            Activation = DomainCorpora.ActivationOptions(moe, options),
            Selection = options.Selection,
            ExpertRank = options.ExpertRank,
            IntermediateRank = options.IntermediateRank,
            HiddenRank = options.HiddenRank,
            Tucker = options.Tucker,
            Seed = options.Seed,
        };
        pipelineOptions.Validate();
        DomainCorpora.Read(domains, options.TextColumnName, moe.Encoder);
        target.Validate();
        if (target.IsMoe)
        {
            throw new ArgumentException($"XPERT initialises a dense (vanilla) model, but the target has ExpertCount = {target.ExpertCount}; pass target.WithExperts(0).", nameof(target));
        }

        if (target.VocabSize != moe.Config.VocabSize)
        {
            throw new ArgumentException(
                $"The target's VocabSize is {target.VocabSize} but the MoE model's vocabulary has {moe.Config.VocabSize} tokens; the dense model reuses that vocabulary, so use the same VocabSize.",
                nameof(target));
        }

        if (target.HiddenSize > moe.Config.HiddenSize || target.IntermediateSize > moe.Config.IntermediateSize)
        {
            throw new ArgumentException(
                $"The target (HiddenSize {target.HiddenSize}, IntermediateSize {target.IntermediateSize}) is wider than the MoE model's experts " +
                $"(HiddenSize {moe.Config.HiddenSize}, IntermediateSize {moe.Config.IntermediateSize}); XPERT can only shrink them, so use at most those sizes.",
                nameof(target));
        }

        CheckRank(options.IntermediateRank, target.IntermediateSize, moe.Config.IntermediateSize, nameof(options.IntermediateRank), nameof(target.IntermediateSize));
        CheckRank(options.HiddenRank, target.HiddenSize, moe.Config.HiddenSize, nameof(options.HiddenRank), nameof(target.HiddenSize));
        if (options.Selection.Mode == CommonExpertSelectionMode.TopK && options.Selection.TopK > moe.Config.ExpertCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"{options.Selection.TopK} common experts per layer were asked for (commonExperts, Selection.TopK) but the MoE model has only {moe.Config.ExpertCount} experts per layer.");
        }

        host = environment.Register("Tcd.Xpert");
        this.moe = moe;
        this.domains = domains;
        // A copy: changing the caller's options object after this point does not change what Fit does.
        this.options = options.Clone();
        Target = target;
    }

    /// <summary>The dense architecture that <see cref="Fit"/> initialises.</summary>
    public BertConfig Target { get; }

    /// <summary>
    /// Runs XPERT on the domains and returns the initialised dense model; <paramref name="input"/> is only checked for
    /// the text column (see the class remarks). <see cref="PretrainedBertTransformer.XpertInitialization"/> holds the
    /// activation table, the selected experts and the reconstruction errors.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing from <paramref name="input"/> or not String; the message names it.</exception>
    /// <exception cref="ArgumentException">A domain yields no text.</exception>
    public PretrainedBertTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        SchemaChecks.RequireText(input.Schema, options.TextColumnName, "text");
        TorchRuntime.EnsureAvailable();
        using var channel = host.Start("XPERT");
        using var cancellation = new ContextCancellation(host, options.CancellationToken);
        channel.Info(MessageSensitivity.None, FormattableString.Invariant(
            $"XPERT: analysing {moe.Config.ExpertCount} experts × {moe.Config.NumLayers} layers on {domains.Count} domains ({string.Join(", ", domains.Keys)}), initialising a dense model of {Target.NumLayers} layers, hidden {Target.HiddenSize}, FFN {Target.IntermediateSize}."));
        if (domains.Count == 1)
        {
            channel.Warning(MessageSensitivity.None, "XPERT: " + CommonExpertSelector.SingleDomainWarning);
        }

        foreach (var sameView in domains.GroupBy(domain => domain.Value, ReferenceEqualityComparer.Instance).Where(names => names.Count() > 1))
        {
            channel.Warning(MessageSensitivity.None,
                $"XPERT: domains {string.Join(" and ", sameView.Select(domain => $"'{domain.Key}'"))} are the same data view, " + CommonExpertSelector.RepeatedTextWarning);
        }

        var analysis = new DomainAnalysisProgress(channel, options.Progress);
        using var result = new XpertPipeline(moe.Encoder, pipelineOptions).Run(
            moe.Model, DomainCorpora.Read(domains, options.TextColumnName, moe.Encoder), Target,
            analysis, new ChannelProgress<XpertDecompositionProgress>(channel, user: null), cancellation.Token);
        analysis.WarnOfShortDomains(pipelineOptions.Activation);
        var summary = new XpertInitializationResult(
            result.Activations,
            result.Selections,
            result.Decompositions.Select(layer => layer.UpRelativeError).ToList(),
            result.Decompositions.Select(layer => layer.DownRelativeError).ToList());
        foreach (var selection in result.Selections)
        {
            channel.Info(MessageSensitivity.None, FormattableString.Invariant(
                $"Layer {selection.Layer}: common experts [{string.Join(", ", selection.Indices)}], reconstruction error up {summary.UpRelativeErrors[selection.Layer]:F3}, down {summary.DownRelativeErrors[selection.Layer]:F3}."));
            if (selection.Warning is { } warning)
            {
                channel.Warning(MessageSensitivity.None, $"Layer {selection.Layer}: {warning}.");
            }
        }

        return new PretrainedBertTransformer(
            result.Model, moe.Encoder, options.TextColumnName, options.OutputColumnName, options.Pooling,
            Math.Min(pipelineOptions.Activation.MaxSequenceLength, Target.MaxPositions), options.TransformBatchSize)
        {
            XpertInitialization = summary,
            HostEnvironment = host,
        };
    }

    private static void CheckRank(int? rank, int targetSize, int sourceSize, string option, string size)
    {
        if (rank is { } value && (value < targetSize || value > sourceSize))
        {
            throw new ArgumentOutOfRangeException(
                "options",
                $"XpertInitializationOptions.{option} is {value}; it must lie between the target's {size} ({targetSize}) and the MoE model's ({sourceSize}).");
        }
    }

    /// <summary>The input shape plus the feature column (vector of the target's HiddenSize floats).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not String; the message names it.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        SchemaShapes.AppendTextFeatures(inputSchema, options.TextColumnName, options.OutputColumnName, Target.HiddenSize);
}
