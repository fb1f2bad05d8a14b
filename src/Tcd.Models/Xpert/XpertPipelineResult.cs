using Tcd.Models.Modeling;

namespace Tcd.Models.Xpert;

/// <summary>
/// Everything <see cref="XpertPipeline.Run"/> produced. Dispose it to free the decompositions; the dense
/// <see cref="Model"/> belongs to the caller and is not disposed.
/// </summary>
/// <remarks>
/// After <see cref="Dispose"/>, <see cref="Activations"/>, <see cref="Selections"/> and each decomposition's
/// <see cref="XpertLayerDecomposition.Weights"/> and relative errors stay valid (plain numbers); the decompositions'
/// tensors do not, nor what reads them (<see cref="XpertLayerDecomposition.IntermediateRank"/>,
/// <see cref="XpertLayerDecomposition.HiddenRank"/>, <see cref="XpertLayerDecomposition.ToString"/>).
/// </remarks>
/// <example>
/// <code>
/// using var result = new XpertPipeline(encoder).Run(moe, domains, target);
/// using var dense = result.Model;                       // the caller's: disposing the result leaves it alone
/// foreach (var layer in result.Decompositions)
/// {
///     Console.WriteLine(layer);                         // reads the factors: before the result is disposed
/// }
///
/// result.Activations.WriteCsv("expert-frequencies.csv"); // plain numbers: valid after disposal too
/// </code>
/// </example>
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
