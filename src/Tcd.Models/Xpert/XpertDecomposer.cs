using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Xpert;

/// <summary>
/// XPERT step 3: per layer, stacks the chosen common experts' weights — up-projections [k, d_ff, d_model] from
/// <see cref="MoeExperts.IntermediateWeight"/> and down-projections [k, d_model, d_ff] from
/// <see cref="MoeExperts.OutputWeight"/> — and decomposes them with
/// <see cref="TuckerDecomposition.DecomposeExpertPair"/> (shared d_ff and d_model bases).
/// </summary>
/// <remarks>
/// Biases are not decomposed: each layer's first- and second-layer biases are combined as
/// <c>Σ_e w_e b_e</c> with the selection's frequency weights (<see cref="LayerExpertSelection.Weights"/>), the same
/// weights <see cref="XpertInitializer"/> collapses the expert mode with.
/// </remarks>
public static class XpertDecomposer
{
    /// <summary>Decomposes every MoE layer of <paramref name="source"/> with its selection.</summary>
    /// <param name="source">A trained MoE model.</param>
    /// <param name="selections">One selection per layer of the source, in layer order (from <see cref="CommonExpertSelector"/>).</param>
    /// <param name="ranks">Tucker ranks, the same for every layer (the expert rank is capped at 2k per layer).</param>
    /// <param name="options">Tucker iteration settings; null uses the defaults.</param>
    /// <param name="progress">Receives a report when a layer starts and after each of its HOOI sweeps.</param>
    /// <param name="cancellationToken">Checked inside the decomposition.</param>
    /// <exception cref="ArgumentException">The source is vanilla, the selections do not match its layers, a layer has no common expert or a rank is out of range.</exception>
    public static IReadOnlyList<XpertLayerDecomposition> Decompose(
        BertForMaskedLm source,
        IReadOnlyList<LayerExpertSelection> selections,
        XpertRanks ranks,
        TuckerOptions? options = null,
        IProgress<XpertDecompositionProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selections);
        var layers = source.Bert.Encoder.Layers;
        if (!source.Config.IsMoe)
        {
            throw new ArgumentException(
                "XPERT decomposes the experts of a Mixture-of-Experts model (BertConfig.ExpertCount > 0), but the source model is vanilla BERT.",
                nameof(source));
        }

        if (selections.Count != layers.Count || selections.Where((selection, index) => selection.Layer != index).Any())
        {
            throw new ArgumentException(
                $"Pass one selection per source layer in layer order (0..{layers.Count - 1}), as CommonExpertSelector.Select returns; " +
                $"got layers [{string.Join(", ", selections.Select(selection => selection.Layer))}].",
                nameof(selections));
        }

        // Fail before any (slow) decomposition when a layer has nothing to decompose.
        if (selections.FirstOrDefault(selection => selection.Experts.Count == 0) is { } empty)
        {
            throw NoCommonExpert(empty.Layer);
        }

        var result = new List<XpertLayerDecomposition>(layers.Count);
        try
        {
            foreach (var selection in selections)
            {
                progress?.Report(new XpertDecompositionProgress(selection.Layer, layers.Count, Sweep: null));
                var sweeps = progress is null ? null : new LayerSweepProgress(progress, selection.Layer, layers.Count);
                result.Add(DecomposeLayer(layers[selection.Layer].Moe!.Experts, selection, ranks, options, sweeps, cancellationToken));
            }
        }
        catch
        {
            result.ForEach(layer => layer.Dispose());
            throw;
        }

        return result;
    }

    /// <summary>Decomposes the chosen experts of one layer.</summary>
    /// <param name="experts">The layer's experts.</param>
    /// <param name="selection">The layer's common experts (at least one).</param>
    /// <param name="ranks">Tucker ranks (the expert rank is capped at 2k).</param>
    /// <param name="options">Tucker iteration settings; null uses the defaults.</param>
    /// <param name="progress">Receives a report after each HOOI sweep.</param>
    /// <param name="cancellationToken">Checked inside the decomposition.</param>
    public static XpertLayerDecomposition DecomposeLayer(
        MoeExperts experts,
        LayerExpertSelection selection,
        XpertRanks ranks,
        TuckerOptions? options = null,
        IProgress<TuckerProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experts);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(ranks);
        var expertCount = experts.IntermediateWeight.shape[0];
        long dff = experts.IntermediateWeight.shape[1], dmodel = experts.IntermediateWeight.shape[2];
        if (selection.Experts.Count == 0)
        {
            throw NoCommonExpert(selection.Layer);
        }

        if (selection.Indices.Any(index => index < 0 || index >= expertCount))
        {
            throw new ArgumentException(
                $"Layer {selection.Layer} selects experts [{string.Join(", ", selection.Indices)}] but the layer has {expertCount} experts.",
                nameof(selection));
        }

        CheckRanks(ranks, dff, dmodel);
        var k = selection.Experts.Count;
        var expertRank = Math.Min(ranks.ExpertRank ?? 2 * k, 2 * k);
        var weights = selection.Weights;
        using var noGrad = no_grad();
        var (up, down, intermediateBias, outputBias) = StackChosen(experts, selection.Indices, weights);
        using (up)
        using (down)
        {
            // Decomposed outside any local dispose scope: the factors belong to the returned decomposition.
            var factors = TuckerDecomposition.DecomposeExpertPair(
                up, down, [expertRank, ranks.IntermediateRank, ranks.HiddenRank], options, progress, cancellationToken);
            return new XpertLayerDecomposition(selection, weights, factors, intermediateBias, outputBias);
        }
    }

    /// <summary>The chosen experts' up- and down-projections and their frequency-weighted biases.</summary>
    private static (Tensor Up, Tensor Down, Tensor IntermediateBias, Tensor OutputBias) StackChosen(
        MoeExperts experts, int[] chosen, double[] weights)
    {
        using var scope = NewDisposeScope();
        var device = experts.IntermediateWeight.device;
        var indices = tensor(chosen.Select(index => (long)index).ToArray(), device: device);
        var up = experts.IntermediateWeight.detach().index_select(0, indices);
        var weightVector = tensor(weights, device: device).to(up.dtype);
        return (
            up.MoveToOuterDisposeScope(),
            experts.OutputWeight.detach().index_select(0, indices).MoveToOuterDisposeScope(),
            weightVector.matmul(experts.IntermediateBias.detach().index_select(0, indices)).MoveToOuterDisposeScope(),
            weightVector.matmul(experts.OutputBias.detach().index_select(0, indices)).MoveToOuterDisposeScope());
    }

    /// <summary>A layer's sweeps as reports of the whole decomposition.</summary>
    private sealed class LayerSweepProgress(IProgress<XpertDecompositionProgress> progress, int layer, int layerCount) : IProgress<TuckerProgress>
    {
        public void Report(TuckerProgress value) => progress.Report(new XpertDecompositionProgress(layer, layerCount, value));
    }

    private static ArgumentException NoCommonExpert(int layer) => new(
        $"Layer {layer} has no common expert (none is active in every domain, or none reaches the threshold); " +
        "lower the selection threshold (CommonExpertSelectionOptions.Threshold), select the top k experts instead " +
        "(CommonExpertSelectionMode.TopK) or analyse more text per domain.",
        "selection");

    /// <summary>Throws unless <paramref name="ranks"/> fit experts of width <paramref name="dff"/> and hidden size <paramref name="dmodel"/>.</summary>
    internal static void CheckRanks(XpertRanks ranks, long dff, long dmodel)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        CheckRank(ranks.IntermediateRank, dff, nameof(XpertRanks.IntermediateRank), "d_ff (IntermediateSize)");
        CheckRank(ranks.HiddenRank, dmodel, nameof(XpertRanks.HiddenRank), "d_model (HiddenSize)");
        if (ranks.ExpertRank is < 1)
        {
            throw new ArgumentException($"XpertRanks.ExpertRank must be at least 1 or null (2k), but is {ranks.ExpertRank}.", nameof(ranks));
        }
    }

    private static void CheckRank(int rank, long size, string option, string mode)
    {
        if (rank < 1 || rank > size)
        {
            throw new ArgumentException(
                $"XpertRanks.{option} is {rank} but the source's {mode} is {size}; choose a rank in 1..{size} " +
                "(the target model cannot be wider than the source in that mode).",
                "ranks");
        }
    }
}
