using Tcd.Models.Xpert;

namespace Tcd.MLNet.Estimators;

/// <summary>
/// Options of <c>mlContext.Tcd().AnalyzeExperts(moe, domains, options)</c>: how each domain's text column is read and
/// routed through a MoE model to count, per layer and domain, how often each expert is chosen (XPERT step 1).
/// </summary>
/// <remarks>
/// Each domain's rows are packed into contiguous segments as in pre-training; blank rows are skipped. The model runs
/// in eval mode without gradients on its current device, and its training mode is restored afterwards.
/// </remarks>
public class ExpertAnalysisOptions
{
    /// <summary>The text column (String) of every domain's data view. Default "Text".</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>Segments per forward pass. Default 16.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// Tokens per segment, <c>[CLS]</c> and <c>[SEP]</c> included; at most the model's MaxPositions. Default null: the
    /// MoE transformer's <see cref="Transformers.BertTransformer.MaxSequenceLength"/> (128 for a model pre-trained with the defaults).
    /// </summary>
    public int? MaxSequenceLength { get; set; }

    /// <summary>At most this many segments are routed per domain; null reads every row. Default 256.</summary>
    public int? MaxSegmentsPerDomain { get; set; } = 256;

    /// <summary>At most this many real tokens are routed per domain (the first segment is always taken); null means no token limit. Default null.</summary>
    public long? MaxTokensPerDomain { get; set; }

    /// <summary>Receives a report after each batch (domain, segments and tokens so far). Default null.</summary>
    public IProgress<ExpertActivationProgress>? Progress { get; set; }

    /// <summary>Checked between batches; cancellation throws <see cref="OperationCanceledException"/>. ML.NET's cancellation of the <c>MLContext</c> (its internal <c>CancelExecution</c>, which AutoML calls when a trial's time is up) stops the run the same way. Default <see cref="CancellationToken.None"/>.</summary>
    public CancellationToken CancellationToken { get; set; }
}
