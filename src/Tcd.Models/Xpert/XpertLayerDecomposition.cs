using static TorchSharp.torch;

namespace Tcd.Models.Xpert;

/// <summary>
/// XPERT step 3 for one source layer: the Tucker factors of the chosen experts' stacked up- and down-projections
/// (shared d_ff and d_model bases) together with the combination weights and the combined biases.
/// Owns its tensors: dispose it to free them.
/// </summary>
public sealed class XpertLayerDecomposition : IDisposable
{
    internal XpertLayerDecomposition(
        LayerExpertSelection selection, double[] weights, ExpertPairTuckerResult factors, Tensor intermediateBias, Tensor outputBias)
    {
        Selection = selection;
        Weights = weights;
        Factors = factors;
        IntermediateBias = intermediateBias;
        OutputBias = outputBias;
    }

    /// <summary>0-based index of the source MoE layer.</summary>
    public int SourceLayer => Selection.Layer;

    /// <summary>The common experts of the layer; expert i of <see cref="Factors"/> is <c>Selection.Experts[i]</c>.</summary>
    public LayerExpertSelection Selection { get; }

    /// <summary>Combination weights of the chosen experts (<see cref="LayerExpertSelection.Weights"/>: mean frequency, normalised to sum 1).</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>The joint Tucker decomposition of up-projections [k, d_ff, d_model] and down-projections [k, d_model, d_ff].</summary>
    public ExpertPairTuckerResult Factors { get; }

    /// <summary>Σ_e w_e b1_e: the chosen experts' first-layer biases combined by <see cref="Weights"/>, [d_ff].</summary>
    public Tensor IntermediateBias { get; }

    /// <summary>Σ_e w_e b2_e: the chosen experts' second-layer biases combined by <see cref="Weights"/>, [d_model].</summary>
    public Tensor OutputBias { get; }

    /// <summary>Rank of the expert mode: at most 2k for the k chosen experts, whose up- and down-projections are stacked.</summary>
    public long ExpertRank => Factors.Joint.Core.shape[0];

    /// <summary>Rank of the d_ff mode: the largest dense FFN width these factors can initialise.</summary>
    public long IntermediateRank => Factors.HiddenFactor.shape[1];

    /// <summary>Rank of the d_model mode: the largest dense hidden size these factors can initialise.</summary>
    public long HiddenRank => Factors.ModelFactor.shape[1];

    /// <summary>Relative reconstruction error of the up-projections (see <see cref="ExpertPairTuckerResult.UpRelativeError"/>).</summary>
    public double UpRelativeError => Factors.UpRelativeError;

    /// <summary>Relative reconstruction error of the down-projections (see <see cref="ExpertPairTuckerResult.DownRelativeError"/>).</summary>
    public double DownRelativeError => Factors.DownRelativeError;

    /// <summary>
    /// One line for a log: the <see cref="Selection"/> (layer, each chosen expert with its score and mean frequency),
    /// the Tucker ranks [experts, d_ff, d_model] and both relative errors, e.g.
    /// <c>layer 1: E3 (score 0.412, mean freq 0.287), E0 (score 0.305, mean freq 0.251); Tucker ranks [4, 64, 64], relative error up 0.1234, down 0.2345</c>.
    /// </summary>
    public override string ToString() =>
        FormattableString.Invariant(
            $"{Selection}; Tucker ranks [{string.Join(", ", Factors.Joint.Core.shape)}], relative error up {UpRelativeError:F4}, down {DownRelativeError:F4}");

    /// <summary>Frees the factors and biases.</summary>
    public void Dispose()
    {
        Factors.Dispose();
        IntermediateBias.Dispose();
        OutputBias.Dispose();
    }
}
