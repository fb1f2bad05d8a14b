using static TorchSharp.torch;

namespace Tcd.Models.Xpert;

/// <summary>
/// The weights of one dense BERT FFN (<c>intermediate.dense</c> and <c>output.dense</c>) built by
/// <see cref="XpertInitializer.DenseFfn"/>. Owns its tensors: dispose it to free them.
/// </summary>
/// <param name="IntermediateWeight">Up-projection [d_ff', d_model'] (<c>intermediate.dense.weight</c>).</param>
/// <param name="IntermediateBias">Up-projection bias [d_ff'] (<c>intermediate.dense.bias</c>).</param>
/// <param name="OutputWeight">Down-projection [d_model', d_ff'] (<c>output.dense.weight</c>).</param>
/// <param name="OutputBias">Down-projection bias [d_model'] (<c>output.dense.bias</c>).</param>
internal sealed record DenseFfnWeights(Tensor IntermediateWeight, Tensor IntermediateBias, Tensor OutputWeight, Tensor OutputBias) : IDisposable
{
    /// <summary>Frees the four tensors.</summary>
    public void Dispose()
    {
        IntermediateWeight.Dispose();
        IntermediateBias.Dispose();
        OutputWeight.Dispose();
        OutputBias.Dispose();
    }
}
