using Tcd.Models.Modeling;

namespace Tcd.Models.Xpert;

/// <summary>
/// Everything <see cref="XpertPipeline.Run"/> produced. Dispose it to free the decompositions; the dense
/// <see cref="Model"/> belongs to the caller and is not disposed.
/// </summary>
/// <param name="Activations">Per layer, domain and expert activation frequencies of the source.</param>
/// <param name="Selections">The common experts of every source layer.</param>
/// <param name="Decompositions">The Tucker factors of every source layer (with their reconstruction errors).</param>
/// <param name="Model">The dense model whose FFNs were initialised from the factors.</param>
public sealed record XpertPipelineResult(
    ExpertActivationTable Activations,
    IReadOnlyList<LayerExpertSelection> Selections,
    IReadOnlyList<XpertLayerDecomposition> Decompositions,
    BertForMaskedLm Model) : IDisposable
{
    /// <summary>Frees the decompositions.</summary>
    public void Dispose()
    {
        foreach (var decomposition in Decompositions)
        {
            decomposition.Dispose();
        }
    }
}
