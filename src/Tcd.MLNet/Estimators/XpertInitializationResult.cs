using Tcd.Models.Xpert;

namespace Tcd.MLNet.Estimators;

/// <summary>What XPERT found while initialising a dense model (see <see cref="Transformers.PretrainedBertTransformer.XpertInitialization"/>).</summary>
/// <param name="Activations">Per layer, domain and expert activation frequencies of the MoE source.</param>
/// <param name="Selections">The common experts chosen in every source layer.</param>
/// <param name="UpRelativeErrors">Per source layer, the relative Tucker reconstruction error of the chosen experts' up-projections.</param>
/// <param name="DownRelativeErrors">Per source layer, the relative Tucker reconstruction error of the chosen experts' down-projections.</param>
public sealed record XpertInitializationResult(
    ExpertActivationTable Activations,
    IReadOnlyList<LayerExpertSelection> Selections,
    IReadOnlyList<double> UpRelativeErrors,
    IReadOnlyList<double> DownRelativeErrors);
