using Tcd.Models.Data;
using Tcd.Models.Modeling;
using TorchSharp;

namespace Tcd.Models.Xpert;

/// <summary>
/// XPERT end to end: analyse a trained MoE-BERT's expert activations over several domains
/// (<see cref="ExpertActivationAnalyzer"/>), choose the experts common to all domains (<see cref="CommonExpertSelector"/>),
/// Tucker-decompose their weights per layer (<see cref="XpertDecomposer"/>) and initialise a dense model's FFNs from the
/// factors (<see cref="XpertInitializer"/>).
/// </summary>
public sealed class XpertPipeline
{
    private readonly BertTextEncoder encoder;
    private readonly XpertPipelineOptions options;

    /// <summary>Creates a pipeline.</summary>
    /// <param name="encoder">The tokeniser the source model was trained with.</param>
    /// <param name="options">Settings; null uses the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="XpertPipelineOptions.Validate"/>).</exception>
    public XpertPipeline(BertTextEncoder encoder, XpertPipelineOptions? options = null)
    {
        this.encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        this.options = options ?? new XpertPipelineOptions();
        this.options.Validate();
    }

    /// <summary>Runs the four steps and returns their results with the initialised dense model.</summary>
    /// <param name="source">A trained MoE masked-LM model.</param>
    /// <param name="domains">Domain name → corpus, in table order.</param>
    /// <param name="target">The dense model's configuration (vanilla; FFN width and hidden size within the ranks).</param>
    /// <param name="progress">Receives the activation analysis reports.</param>
    /// <param name="decompositionProgress">Receives the Tucker decomposition reports (a layer starts, a HOOI sweep ends).</param>
    /// <param name="cancellationToken">Checked between batches and inside the decompositions.</param>
    /// <exception cref="ArgumentException">
    /// The target is not dense, or the ranks do not fit the source's or the target's sizes; thrown before any text is read.
    /// </exception>
    public XpertPipelineResult Run(
        BertForMaskedLm source,
        IEnumerable<KeyValuePair<string, TextCorpus>> domains,
        BertConfig target,
        IProgress<ExpertActivationProgress>? progress = null,
        IProgress<XpertDecompositionProgress>? decompositionProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        target.Validate();
        // Fail before the expensive activation analysis, not after it.
        XpertInitializer.CheckDenseTarget(target);
        var ranks = new XpertRanks(
            options.IntermediateRank ?? target.IntermediateSize,
            options.HiddenRank ?? target.HiddenSize,
            options.ExpertRank);
        XpertDecomposer.CheckRanks(ranks, source.Config.IntermediateSize, source.Config.HiddenSize);
        if (target.IntermediateSize > ranks.IntermediateRank || target.HiddenSize > ranks.HiddenRank)
        {
            throw new ArgumentException(
                $"The target (IntermediateSize {target.IntermediateSize}, HiddenSize {target.HiddenSize}) is wider than the Tucker ranks " +
                $"(IntermediateRank {ranks.IntermediateRank}, HiddenRank {ranks.HiddenRank}) its FFNs are initialised from; raise the ranks or leave them null (the target's sizes).",
                nameof(target));
        }

        var activations = new ExpertActivationAnalyzer(encoder, options.Activation).Analyze(source, domains, progress, cancellationToken);
        var selections = new CommonExpertSelector(options.Selection).Select(activations);
        var decompositions = XpertDecomposer.Decompose(source, selections, ranks, options.Tucker, decompositionProgress, cancellationToken);
        try
        {
            torch.manual_seed(options.Seed);
            var model = XpertInitializer.CreateDenseModel(target, decompositions, source.parameters().First().device);
            return new XpertPipelineResult(activations, selections, decompositions, model);
        }
        catch
        {
            foreach (var decomposition in decompositions)
            {
                decomposition.Dispose();
            }

            throw;
        }
    }
}
