using Tcd.Models.Losses;
using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Xpert;

/// <summary>
/// XPERT step 4: initialises the FFNs of a dense (vanilla) BERT from the Tucker factors of the source's common
/// experts; everything else in the dense model keeps its normal initialisation.
/// </summary>
/// <remarks>
/// <para>For a source layer with chosen experts e = 1..k, combination weights w (mean activation frequency,
/// normalised), joint core G [R_E, R_ff, R_model], expert-mode rows U_up, U_down [k, R_E] and shared bases
/// U_ff [d_ff, R_ff], U_model [d_model, R_model], a dense FFN of width d_ff' ≤ R_ff and hidden size
/// d_model' ≤ R_model gets</para>
/// <list type="bullet">
/// <item><description><c>W_up' = (G ×_E (wᵀU_up))[:d_ff', :d_model']</c> — the core collapsed along the expert mode
/// by the frequency-weighted expert-factor rows, keeping the leading d_ff' and d_model' components;</description></item>
/// <item><description><c>W_down' = ((G ×_E (wᵀU_down))[:d_ff', :d_model'])ᵀ</c>;</description></item>
/// <item><description><c>b_up' = U_ff[:, :d_ff']ᵀ (Σ_e w_e b_up,e)</c> and <c>b_down' = U_model[:, :d_model']ᵀ (Σ_e w_e b_down,e)</c>.</description></item>
/// </list>
/// <para>Because the bases are orthonormal this is exactly the frequency-weighted average of the experts' Tucker
/// reconstructions expressed in the leading principal bases:
/// <c>W_up' = U_ff'ᵀ (Σ_e w_e Ŵ_up,e) U_model'</c> and <c>W_down' = U_model'ᵀ (Σ_e w_e Ŵ_down,e) U_ff'</c> with
/// <c>U_ff' = U_ff[:, :d_ff']</c>, <c>U_model' = U_model[:, :d_model']</c>. HOSVD/HOOI order the components by
/// importance, so a narrower target keeps the most significant directions; the ranks are the largest target sizes.</para>
/// <para>The dense weights live in those principal bases, not in the experts' own neuron and hidden coordinates. GELU
/// acts neuron by neuron, so the dense FFN does not compute the averaged expert's function, not even at full rank with
/// the source's shape: it inherits the experts' weight structure (their shared subspaces and spectrum), not their
/// neurons. That follows the issue's reading of XPERT, where the Tucker ranks are the target model's sizes.</para>
/// <para>When depths differ, target layer i takes source layer <see cref="LayerMapping.TeacherLayerFor"/>(i) of
/// <c>new LayerMapping(targetLayers, sourceLayers)</c> (uniform; e.g. 4 from 2: 0, 0, 1, 1).</para>
/// </remarks>
public static class XpertInitializer
{
    /// <summary>The dense FFN weights built from one source layer's decomposition (new tensors the caller owns).</summary>
    /// <param name="layer">The source layer's decomposition.</param>
    /// <param name="intermediateSize">Target FFN width d_ff', in 1..<see cref="XpertLayerDecomposition.IntermediateRank"/>.</param>
    /// <param name="hiddenSize">Target hidden size d_model', in 1..<see cref="XpertLayerDecomposition.HiddenRank"/>.</param>
    internal static DenseFfnWeights DenseFfn(XpertLayerDecomposition layer, int intermediateSize, int hiddenSize)
    {
        ArgumentNullException.ThrowIfNull(layer);
        CheckFits(layer, intermediateSize, hiddenSize);
        var factors = layer.Factors;
        var core = factors.Joint.Core;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = tensor(layer.Weights.ToArray(), device: core.device).to(core.dtype);
        var intermediate = Collapse(core, weights.matmul(factors.UpExpertFactor), intermediateSize, hiddenSize);
        var output = Collapse(core, weights.matmul(factors.DownExpertFactor), intermediateSize, hiddenSize).mT.contiguous();
        var intermediateBias = factors.HiddenFactor.narrow(dim: 1, start: 0, length: intermediateSize).mT.matmul(layer.IntermediateBias);
        var outputBias = factors.ModelFactor.narrow(dim: 1, start: 0, length: hiddenSize).mT.matmul(layer.OutputBias);
        return new DenseFfnWeights(
            intermediate.MoveToOuterDisposeScope(),
            intermediateBias.MoveToOuterDisposeScope(),
            output.MoveToOuterDisposeScope(),
            outputBias.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Creates a dense <see cref="BertForMaskedLm"/> for <paramref name="target"/> (normal initialisation, seeded by the
    /// caller's <c>torch.manual_seed</c>) and initialises its FFNs from <paramref name="sourceLayers"/>.
    /// </summary>
    /// <param name="target">A vanilla configuration whose IntermediateSize / HiddenSize fit the ranks.</param>
    /// <param name="sourceLayers">One decomposition per source layer, in layer order.</param>
    /// <param name="device">Where to create the model; null: CPU.</param>
    public static BertForMaskedLm CreateDenseModel(BertConfig target, IReadOnlyList<XpertLayerDecomposition> sourceLayers, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        CheckTarget(target, sourceLayers);
        var model = new BertForMaskedLm(target, device);
        Initialize(model, sourceLayers);
        return model;
    }

    /// <summary>Overwrites the FFN weights and biases of every layer of <paramref name="dense"/> from the factors.</summary>
    /// <param name="dense">A vanilla masked-LM model.</param>
    /// <param name="sourceLayers">One decomposition per source layer, in layer order.</param>
    /// <exception cref="ArgumentException">The model is MoE, the layers are not one per source layer, or the model is wider than the ranks.</exception>
    public static void Initialize(BertForMaskedLm dense, IReadOnlyList<XpertLayerDecomposition> sourceLayers)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var target = dense.Config;
        CheckTarget(target, sourceLayers);
        var mapping = new LayerMapping(target.NumLayers, sourceLayers.Count);
        var parameters = dense.named_parameters().ToDictionary(pair => pair.name, pair => pair.parameter);
        using var noGrad = no_grad();
        for (var layer = 0; layer < target.NumLayers; layer++)
        {
            using var ffn = DenseFfn(sourceLayers[mapping.TeacherLayerFor(layer)], target.IntermediateSize, target.HiddenSize);
            var prefix = $"bert.encoder.layer.{layer}.";
            parameters[prefix + "intermediate.dense.weight"].copy_(ffn.IntermediateWeight);
            parameters[prefix + "intermediate.dense.bias"].copy_(ffn.IntermediateBias);
            parameters[prefix + "output.dense.weight"].copy_(ffn.OutputWeight);
            parameters[prefix + "output.dense.bias"].copy_(ffn.OutputBias);
        }
    }

    /// <summary>G ×_E c, truncated to the leading [rows, columns] components.</summary>
    private static Tensor Collapse(Tensor core, Tensor expertCoefficients, int rows, int columns) =>
        TensorModes.ProjectMode(core, expertCoefficients.unsqueeze(-1), mode: 0)
            .squeeze(0)
            .narrow(dim: 0, start: 0, length: rows)
            .narrow(dim: 1, start: 0, length: columns)
            .contiguous();

    /// <summary>Throws unless <paramref name="target"/> is a dense (vanilla) configuration, the only kind XPERT initialises.</summary>
    internal static void CheckDenseTarget(BertConfig target)
    {
        if (target.IsMoe)
        {
            throw new ArgumentException(
                $"XPERT initialises a dense (vanilla) model, but the target has ExpertCount = {target.ExpertCount}; use WithExperts(0).",
                nameof(target));
        }
    }

    private static void CheckTarget(BertConfig target, IReadOnlyList<XpertLayerDecomposition> sourceLayers)
    {
        ArgumentNullException.ThrowIfNull(sourceLayers);
        CheckDenseTarget(target);

        if (sourceLayers.Count == 0 || sourceLayers.Where((layer, index) => layer.SourceLayer != index).Any())
        {
            throw new ArgumentException(
                "Pass one decomposition per source layer in layer order, as XpertDecomposer.Decompose returns; got source layers " +
                $"[{string.Join(", ", sourceLayers.Select(layer => layer.SourceLayer))}].",
                nameof(sourceLayers));
        }

        foreach (var layer in sourceLayers)
        {
            CheckFits(layer, target.IntermediateSize, target.HiddenSize);
        }
    }

    private static void CheckFits(XpertLayerDecomposition layer, int intermediateSize, int hiddenSize)
    {
        if (intermediateSize < 1 || intermediateSize > layer.IntermediateRank || hiddenSize < 1 || hiddenSize > layer.HiddenRank)
        {
            throw new ArgumentException(
                $"The target FFN is {intermediateSize} wide with hidden size {hiddenSize}, but source layer {layer.SourceLayer} was " +
                $"decomposed with d_ff rank {layer.IntermediateRank} and d_model rank {layer.HiddenRank}; the target sizes must not " +
                "exceed the ranks. Decompose with XpertRanks(IntermediateRank ≥ IntermediateSize, HiddenRank ≥ HiddenSize) or shrink the target.",
                nameof(layer));
        }
    }
}
